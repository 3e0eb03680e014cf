#include "server/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/metrics_http.h"

namespace pki::signer {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, CountersHistogramAndKeyHealth) {
  Metrics m;
  m.RecordRequest("Sign", StatusCode::kOk, std::chrono::microseconds(800));
  m.RecordRequest("Sign", StatusCode::kOk, std::chrono::microseconds(3000));
  m.RecordRequest("Sign", StatusCode::kNotFound, std::chrono::microseconds(100));
  KeyVersionInfo up;
  up.key_name = "release";
  up.version = 2;
  up.replicas_healthy = 2;
  KeyVersionInfo down = up;
  down.key_name = "nightly";
  down.health = KeyHealth::kUnavailable;
  down.replicas_healthy = 0;
  const std::string text = m.Render({up, down}, 42, true);
  EXPECT_THAT(text, HasSubstr("signer_requests_total{method=\"Sign\",code=\"OK\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("signer_requests_total{method=\"Sign\",code=\"NOT_FOUND\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("signer_request_duration_seconds_bucket{method=\"Sign\",le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("signer_request_duration_seconds_bucket{method=\"Sign\",le=\"0.001\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("signer_request_duration_seconds_bucket{method=\"Sign\",le=\"0.005\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("signer_request_duration_seconds_bucket{method=\"Sign\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("signer_request_duration_seconds_count{method=\"Sign\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("signer_key_up{key=\"release\",version=\"2\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("signer_key_up{key=\"nightly\",version=\"2\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("signer_key_replicas_healthy{key=\"release\",version=\"2\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("signer_audit_last_seq 42\n"));
}

std::string HttpGet(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  PKI_CHECK(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  PKI_CHECK(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

TEST(MetricsHttpTest, ServesMetricsOnLoopbackOnly) {
  EXPECT_EQ(MetricsHttpServer::Start("0.0.0.0:0", [] { return std::string(); }).status().code(),
            StatusCode::kInvalidArgument);
  auto s = MetricsHttpServer::Start("127.0.0.1:0", [] { return std::string("signer_up 1\n"); });
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_GT((*s)->port(), 0);
  const std::string ok = HttpGet((*s)->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(ok, HasSubstr("HTTP/1.0 200 OK"));
  EXPECT_THAT(ok, HasSubstr("\r\n\r\nsigner_up 1\n"));
  EXPECT_THAT(HttpGet((*s)->port(), "GET /secrets HTTP/1.1\r\n\r\n"), HasSubstr("404"));
  EXPECT_THAT(HttpGet((*s)->port(), "garbage\n\n"), HasSubstr("404"));
}

TEST(MetricsHttpTest, ServesEachRouteWithItsContentTypeAndNothingElse) {
  std::vector<HttpRoute> routes;
  routes.push_back({"/metrics", "text/plain; version=0.0.4", [] { return std::string("m 1\n"); }});
  routes.push_back({"/status", "application/json", [] { return std::string("{}\n"); }});
  auto s = MetricsHttpServer::Start("127.0.0.1:0", std::move(routes));
  ASSERT_TRUE(s.ok()) << s.status().message();
  const std::string status = HttpGet((*s)->port(), "GET /status HTTP/1.0\r\n\r\n");
  EXPECT_THAT(status, HasSubstr("200 OK"));
  EXPECT_THAT(status, HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_THAT(status, HasSubstr("\r\n\r\n{}\n"));
  EXPECT_THAT(HttpGet((*s)->port(), "GET /status?x=1 HTTP/1.0\r\n\r\n"), HasSubstr("200 OK"));
  EXPECT_THAT(HttpGet((*s)->port(), "GET /metrics HTTP/1.0\r\n\r\n"), HasSubstr("m 1\n"));
  EXPECT_THAT(HttpGet((*s)->port(), "GET /statusx HTTP/1.0\r\n\r\n"), HasSubstr("404"));
  EXPECT_THAT(HttpGet((*s)->port(), "GET /status/../metrics HTTP/1.0\r\n\r\n"), HasSubstr("404"));
  EXPECT_THAT(HttpGet((*s)->port(), "POST /status HTTP/1.0\r\n\r\n"), HasSubstr("404"));
}

}  // namespace
}  // namespace pki::signer
