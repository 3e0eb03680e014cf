// LinkClient::ConnectTcp: malformed addresses refused by name, a closed port
// is UNAVAILABLE, and over a real loopback connection a request frame goes
// out byte-exact and the response frame (after line noise) comes back.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "base/crc32.h"
#include "link_client/link_client.h"

namespace pki::host_agent {
namespace {

// A loopback listener on an ephemeral port.
struct Listener {
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(::listen(fd, 1), 0);
    socklen_t len = sizeof(a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { ::close(fd); }
  int fd = -1;
  uint16_t port = 0;
};

std::vector<uint8_t> ResponseFrame(uint32_t id, const std::string& payload) {
  std::vector<uint8_t> f = EncodeLinkFrame(id, payload);
  f[3] = 2;  // kind response
  StoreBe32(&f[f.size() - 4], Crc32(ByteSpan(&f[2], f.size() - 6)));
  return f;
}

TEST(LinkClientTcpTest, MalformedAddressesAreRefused) {
  for (const char* bad : {"", "localhost", "127.0.0.1:", ":4000", "127.0.0.1:0", "127.0.0.1:65536",
                          "127.0.0.1:12x", "127.0.0.1:-1"}) {
    auto c = LinkClient::ConnectTcp(bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << bad << ": " << c.status().message();
  }
}

TEST(LinkClientTcpTest, ClosedPortIsUnavailable) {
  uint16_t port;
  {
    Listener l;
    port = l.port;
  }  // closed again: nothing listens there now
  auto c = LinkClient::ConnectTcp("127.0.0.1:" + std::to_string(port));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(std::string(c.status().message()).find(std::to_string(port)), std::string::npos);
}

TEST(LinkClientTcpTest, CallOverLoopback) {
  Listener l;
  appliance::v1::Response want;
  want.set_request_id(1);
  want.mutable_status()->set_firmware_version("tcp-test");
  std::string want_payload;
  ASSERT_TRUE(want.SerializeToString(&want_payload));
  std::vector<uint8_t> got_request;
  std::thread peer([&] {
    int c = ::accept(l.fd, nullptr, nullptr);
    ASSERT_GE(c, 0);
    uint8_t buf[256];
    ssize_t n = ::read(c, buf, sizeof(buf));
    if (n > 0) got_request.assign(buf, buf + n);
    std::vector<uint8_t> out = {0x00, 0xA5, 0x13};  // noise before the frame
    std::vector<uint8_t> f = ResponseFrame(1, want_payload);
    out.insert(out.end(), f.begin(), f.end());
    EXPECT_EQ(::write(c, out.data(), out.size()), static_cast<ssize_t>(out.size()));
    ::close(c);
  });
  auto client = LinkClient::ConnectTcp("127.0.0.1:" + std::to_string(l.port));
  ASSERT_TRUE(client.ok()) << client.status().message();
  appliance::v1::Request req;
  req.mutable_get_status();
  auto resp = (*client)->Call(req, 5000);
  peer.join();
  ASSERT_TRUE(resp.ok()) << resp.status().message();
  EXPECT_EQ(resp->status().firmware_version(), "tcp-test");
  req.set_request_id(1);
  std::string payload;
  ASSERT_TRUE(req.SerializeToString(&payload));
  EXPECT_EQ(got_request, EncodeLinkFrame(1, payload));
}

}  // namespace
}  // namespace pki::host_agent
