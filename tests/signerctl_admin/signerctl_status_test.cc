// signerctl status against a running signerd (issue 4): two real SoftHSMv2
// tokens holding replicas of one key, behind the fault-injecting module
// (tests/mocks/faulty_pkcs11). A token taken out of rotation shows with its
// reason class and since when, then back after recovery; a daemon that is not
// there gets a clear message and exit 2.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "softhsm_env.h"
#include "test_pki.h"

namespace pki {
namespace {

using namespace std::chrono_literals;

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliRun Signerctl(const std::string& args) {
  std::string cmd = std::string(std::getenv("PKI_BIN_DIR")) + "/signerctl " + args + " 2>&1";
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// HttpGet fetches |path| from |address| ("127.0.0.1:PORT").
std::string HttpGet(const std::string& address, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
    const std::string req = "GET " + path + " HTTP/1.0\r\n\r\n";
    if (::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

// Line returns the line of |text| that starts with |prefix| ("" if none).
std::string Line(const std::string& text, const std::string& prefix) {
  size_t at = text.rfind("\n" + prefix);
  if (at == std::string::npos) {
    if (text.rfind(prefix, 0) != 0) return "";
    at = 0;
  } else {
    ++at;
  }
  return text.substr(at, text.find('\n', at) - at);
}

// Columns splits a table line on runs of two or more spaces.
std::vector<std::string> Columns(const std::string& line) {
  std::vector<std::string> out;
  const std::regex gap("\\s{2,}");
  for (std::sregex_token_iterator it(line.begin(), line.end(), gap, -1), end; it != end; ++it) out.push_back(*it);
  return out;
}

// Token table columns.
enum { kLabel = 0, kState, kSince, kReason, kSessions, kQueued, kSignatures, kFailures, kReinits, kLastError };

class SignerctlStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = std::getenv("PKI_BIN_DIR");
    dir_ = env_.dir();
    control_ = dir_ + "/faults";
    ::setenv("FAULTY_PKCS11_TARGET", testing::kSoftHsmModule, 1);
    ::setenv("FAULTY_PKCS11_CONTROL", control_.c_str(), 1);
    SetFaults("");
    ASSERT_TRUE(env_.InitToken("status-a").ok());
    ASSERT_TRUE(env_.InitToken("status-b").ok());
    const std::string pem = testing::NewEcP256Pem();
    ASSERT_TRUE(env_.ImportEcKey("status-a", "release", "\x01\x02", pem).ok());
    ASSERT_TRUE(env_.ImportEcKey("status-b", "release", "\x01\x02", pem).ok());
    pki_ = std::make_unique<testing::TestPki>(dir_);
    config_ = dir_ + "/signerd.yaml";
    testing::WriteText(config_, R"(server:
  listen: "127.0.0.1:0"
  metrics_listen: "127.0.0.1:0"
  health_refresh_ms: 100
  tls:
    cert_file: server.pem
    key_file: server.key
    client_cas:
      - ca_file: ca.pem
        crl_file: crl.pem
hsm:
  modules: [)" + std::string(FAULTY_PKCS11_PATH) + R"(]
  tokens:
    - uri: "pkcs11:token=status-a"
      pin_file: )" + env_.pin_file() + R"(
    - uri: "pkcs11:token=status-b"
      pin_file: )" + env_.pin_file() + R"(
  sessions_per_token: 2
  probe_interval_ms: 100
  reinit_backoff_max_ms: 200
keys:
  - name: release
    purpose: artifact-signing
    versions:
      - version: 1
        uris: ["pkcs11:token=status-a;object=release;type=private",
               "pkcs11:token=status-b;object=release;type=private"]
policy:
  clients:
    - name: ci
      uri_san: "spiffe://example.org/ci"
      keys: [{key: release, rights: [sign]}]
audit:
  path: audit.log
)");
  }

  void TearDown() override { StopSignerd(); }

  void SetFaults(const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic(control_, AsBytes(text), 0600).ok());
  }

  // StartSignerd runs signerd and returns its metrics address from the
  // "signerd: metrics on HOST:PORT" line.
  std::string StartSignerd() {
    pid_ = ::fork();
    PKI_CHECK(pid_ >= 0);
    if (pid_ == 0) {
      PKI_CHECK(std::freopen((dir_ + "/signerd.out").c_str(), "w", stdout) != nullptr);
      PKI_CHECK(std::freopen((dir_ + "/signerd.err").c_str(), "w", stderr) != nullptr);
      const std::string exe = bin_ + "/signerd";
      ::execl(exe.c_str(), exe.c_str(), "--config", config_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < until) {
      if (std::filesystem::exists(dir_ + "/signerd.out")) {
        const std::string out = testing::ReadText(dir_ + "/signerd.out");
        const size_t at = out.find("signerd: metrics on ");
        const size_t nl = out.find('\n', at);
        if (at != std::string::npos && nl != std::string::npos) return out.substr(at + 20, nl - at - 20);
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        ADD_FAILURE() << "signerd exited: " << testing::ReadText(dir_ + "/signerd.err");
        return "";
      }
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "signerd did not start";
    return "";
  }

  void StopSignerd() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // WaitForStatus polls `signerctl status` until |pred| holds (up to 15 s);
  // returns the last output.
  template <typename Pred>
  std::string WaitForStatus(const std::string& admin, Pred pred) {
    CliRun r;
    const auto until = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < until) {
      r = Signerctl("status --admin " + admin);
      if (r.exit_code == 0 && pred(r.output)) return r.output;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "status never got there; last (exit " << r.exit_code << "):\n" << r.output;
    return r.output;
  }

  testing::SoftHsmEnv env_;
  std::string bin_, dir_, control_, config_;
  std::unique_ptr<testing::TestPki> pki_;
  pid_t pid_ = -1;
};

TEST_F(SignerctlStatusTest, ShowsATokenOutOfRotationAndBackAfterRecovery) {
  const std::string admin = StartSignerd();
  ASSERT_FALSE(admin.empty());

  // Both tokens in rotation, the key served by both.
  CliRun r = Signerctl("status --admin " + admin);
  ASSERT_EQ(r.exit_code, 0) << r.output << "\nsignerd stderr:\n" << testing::ReadText(dir_ + "/signerd.err");
  EXPECT_NE(r.output.find("audit log: healthy"), std::string::npos) << r.output;
  const std::vector<std::string> a = Columns(Line(r.output, "status-a "));
  const std::vector<std::string> b = Columns(Line(r.output, "status-b "));
  ASSERT_EQ(a.size(), 10u) << r.output;
  ASSERT_EQ(b.size(), 10u) << r.output;
  EXPECT_EQ(a[kState], "in rotation");
  EXPECT_EQ(b[kState], "in rotation");
  EXPECT_EQ(b[kReason], "-");
  EXPECT_EQ(b[kSessions].substr(b[kSessions].find('/')), "/2") << "sessions open/max: " << r.output;
  const std::string key = Line(r.output, "release ");
  EXPECT_NE(key.find("enabled"), std::string::npos) << r.output;
  EXPECT_NE(key.find("2/2"), std::string::npos) << r.output;
  // SERVED BY: the pool names the replicas' tokens (configuration order).
  EXPECT_NE(key.find(" status-a,status-b "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("(not reported)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(pki_->crl_file), std::string::npos) << "client CRL listed: " << r.output;
  EXPECT_EQ(r.output.find(testing::kUserPin), std::string::npos) << "a PIN in the status";

  // The JSON page, as scripts read it.
  CliRun json = Signerctl("status --json --admin " + admin);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_NE(json.output.find("\"schema\": \"signerd-status/1\""), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("\"state\": \"in-rotation\""), std::string::npos) << json.output;

  // Token b's device goes away: the health probe takes it out of rotation.
  SetFaults("token=status-b\nall=CKR_DEVICE_REMOVED\n");
  std::string out = WaitForStatus(admin, [](const std::string& o) {
    return Line(o, "status-b ").find("OUT OF ROTATION") != std::string::npos;
  });
  if (std::getenv("SIGNERCTL_STATUS_SHOW")) std::printf("%s\n", out.c_str());
  const std::vector<std::string> down = Columns(Line(out, "status-b "));
  ASSERT_EQ(down.size(), 10u) << out;
  EXPECT_EQ(down[kState], "OUT OF ROTATION");
  EXPECT_EQ(down[kReason], "device") << out;
  EXPECT_NE(down[kLastError].find("CKR_DEVICE_REMOVED"), std::string::npos) << out;
  EXPECT_TRUE(std::regex_match(down[kSince], std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ")))
      << down[kSince];
  EXPECT_NE(std::stoul(down[kFailures]), 0u) << out;
  EXPECT_NE(Line(out, "status-a ").find("in rotation"), std::string::npos) << out;
  const std::string degraded = Line(out, "release ");
  EXPECT_NE(degraded.find("degraded"), std::string::npos) << out;
  EXPECT_NE(degraded.find("1/2"), std::string::npos) << out;
  EXPECT_NE(degraded.find(" status-a "), std::string::npos) << "served by a alone: " << out;
  EXPECT_EQ(degraded.find("status-b"), std::string::npos) << "b out of rotation serves nothing: " << out;
  // Prometheus sees it too, and the client CRL's nextUpdate to alert on.
  const std::string metrics = HttpGet(admin, "/metrics");
  EXPECT_NE(metrics.find("signer_token_in_rotation{token=\"status-b\"} 0\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("signer_token_in_rotation{token=\"status-a\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("signer_client_crl_next_update_timestamp_seconds{file=\"" + pki_->crl_file + "\"} 1"),
            std::string::npos)
      << metrics;
  // Same through the JSON page: the reason class and since when.
  json = Signerctl("status --json --admin " + admin);
  EXPECT_NE(json.output.find("\"state\": \"out-of-rotation\""), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("\"reason\": \"device\""), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("\"label\": \"status-b\", \"in_rotation\": false}"), std::string::npos)
      << "replica b listed, out of rotation: " << json.output;

  // The device comes back: re-initialized, probed, back in rotation.
  SetFaults("");
  out = WaitForStatus(admin, [](const std::string& o) {
    return Line(o, "status-b ").find("in rotation") != std::string::npos &&
           Line(o, "release ").find("2/2") != std::string::npos;
  });
  const std::vector<std::string> up = Columns(Line(out, "status-b "));
  ASSERT_GE(up.size(), 10u) << out;
  EXPECT_EQ(up[kState], "in rotation");
  EXPECT_EQ(up[kReason], "-");
  EXPECT_GE(up[kSince], down[kSince]) << "since is when it came back";
  EXPECT_NE(std::stoul(up[kReinits]), 0u) << "the recovery re-initialized it: " << out;
  EXPECT_NE(Line(out, "release ").find("enabled"), std::string::npos) << out;
}

// Run |cmd| through sh; true if it exited 0.
bool Sh(const std::string& cmd) { return std::system(cmd.c_str()) == 0; }

TEST_F(SignerctlStatusTest, ConfigCheckWarnsButPassesForAClientCrlPastOrNearItsNextUpdate) {
  // The fixture's CRL is fresh (a day ahead): no warning.
  CliRun r = Signerctl("config check --config " + config_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;

  // CRLs made by `openssl ca -gencrl` from a CA of their own (config check
  // reads only nextUpdate; signerd checks the signature at start).
  const std::string d = dir_ + "/crlca";
  ASSERT_TRUE(Sh("mkdir -p " + d + " && cd " + d +
                 " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem"
                 " -out c.pem -subj /CN=CrlTestCA -days 2 >/dev/null 2>&1 && : > index.txt"
                 " && printf '[ca]\\ndefault_ca=d\\n[d]\\ndatabase=index.txt\\ndefault_md=sha256\\n' > ca.cnf"
                 " && openssl ca -batch -config ca.cnf -gencrl -keyfile k.pem -cert c.pem -crlhours 2"
                 " -out soon.pem >/dev/null 2>&1"
                 " && openssl ca -batch -config ca.cnf -gencrl -keyfile k.pem -cert c.pem -crlsec 1"
                 " -out past.pem >/dev/null 2>&1"));
  std::this_thread::sleep_for(2100ms);  // past.pem's nextUpdate passes

  std::filesystem::copy_file(d + "/soon.pem", dir_ + "/crl.pem", std::filesystem::copy_options::overwrite_existing);
  r = Signerctl("config check --config " + config_);
  EXPECT_EQ(r.exit_code, 0) << "a warning, not a failure: " << r.output;
  EXPECT_NE(r.output.find("warning: " + dir_ + "/crl.pem: client CRL of /CN=CrlTestCA reaches its nextUpdate"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(r.output.find(" in 1h59m") != std::string::npos || r.output.find(" in 2h0m") != std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(": OK"), std::string::npos) << r.output;

  std::filesystem::copy_file(d + "/past.pem", dir_ + "/crl.pem", std::filesystem::copy_options::overwrite_existing);
  r = Signerctl("config check --config " + config_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("client CRL of /CN=CrlTestCA is past its nextUpdate"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("refuses every client of that CA"), std::string::npos) << r.output;

  // DER is read too.
  ASSERT_TRUE(Sh("openssl crl -in " + d + "/past.pem -outform DER -out " + dir_ + "/crl.pem"));
  r = Signerctl("config check --config " + config_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("is past its nextUpdate"), std::string::npos) << r.output;

  testing::WriteText(dir_ + "/crl.pem", "not a CRL\n");
  r = Signerctl("config check --config " + config_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("crl.pem: no CRL in the file"), std::string::npos) << r.output;
}

TEST_F(SignerctlStatusTest, ADaemonThatIsNotThereIsAClearFailure) {
  const std::string admin = StartSignerd();
  ASSERT_FALSE(admin.empty());
  StopSignerd();
  CliRun r = Signerctl("status --admin " + admin);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("UNAVAILABLE"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("signerd is not reachable at " + admin), std::string::npos) << r.output;

  // --config with metrics_listen port 0 can't know the port: says so.
  r = Signerctl("status --config " + config_);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("port 0"), std::string::npos) << r.output;
  // A config with a fixed metrics port: read from the file, nothing there.
  testing::WriteText(dir_ + "/fixed.yaml", "server:\n  metrics_listen: \"" + admin + "\"\n");
  r = Signerctl("status --config " + dir_ + "/fixed.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not reachable at " + admin), std::string::npos) << r.output;
  // No metrics listener configured: no status page.
  testing::WriteText(dir_ + "/nometrics.yaml", "server:\n  listen: \"127.0.0.1:0\"\n");
  r = Signerctl("status --config " + dir_ + "/nometrics.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("metrics_listen is not set"), std::string::npos) << r.output;
  // Bad input.
  r = Signerctl("status --admin 10.0.0.1:9464");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("must be loopback"), std::string::npos) << r.output;
  EXPECT_EQ(Signerctl("status").exit_code, 1);
}

}  // namespace
}  // namespace pki
