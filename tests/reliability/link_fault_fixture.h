// link_fault_fixture.h — the ceremony over a faulty link: appliance-sim in a
// temp folder, the `ceremony` program (host agent LinkClient) run through a
// LinkFaultProxy, the appliance's status read directly, outputs checked with
// openssl. Every injected fault is printed.
#ifndef PKI_TESTS_RELIABILITY_LINK_FAULT_FIXTURE_H_
#define PKI_TESTS_RELIABILITY_LINK_FAULT_FIXTURE_H_
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/file.h"
#include "link_client/link_client.h"
#include "link_fault_proxy.h"
#include "tests/ceremony/test_fixtures.h"

namespace pki::testing {


inline std::string Out(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class LinkFaultCeremonyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("PKI_BIN_DIR");
    ASSERT_NE(bin, nullptr);
    bin_ = bin;
    scripts_ = std::string(ceremony::CeremonySourceDir()) + "/ceremony/scripts/";
    if (::access((bin_ + "/appliance-sim").c_str(), X_OK) != 0 || ::access((bin_ + "/ceremony").c_str(), X_OK) != 0) {
      GTEST_SKIP() << "appliance-sim or ceremony not built";
    }
    char tmpl[] = "/tmp/link_fault_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(::mkdir((dir_ + "/media").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((dir_ + "/media/in").c_str(), 0755), 0);
    ASSERT_TRUE(MakePrivateDir(dir_ + "/secrets").ok());
    for (const char* n : {"carla", "dmitri", "eunji"}) {
      ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/" + n + ".pass",
                                  AsBytes(std::string(n) + " passphrase long enough"), 0600).ok());
    }
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/all.answers", AsBytes(ceremony::kAllPresent), 0600).ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/two.answers", AsBytes(ceremony::kTwoCustodians), 0600).ok());
    int rc;
    Out("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" + dir_ +
            "/issuing.key' -subj '/O=Example/CN=Example Issuing TLS' -out '" + dir_ + "/media/in/issuing.csr'",
        &rc);
    ASSERT_EQ(rc, 0);
    sim_ = ::fork();
    ASSERT_GE(sim_, 0);
    if (sim_ == 0) {
      const std::string sim = bin_ + "/appliance-sim";
      const std::string state = dir_ + "/state", sock = dir_ + "/sock", display = dir_ + "/display.txt";
      ::execl(sim.c_str(), sim.c_str(), "--state-dir", state.c_str(), "--socket", sock.c_str(), "--display-file",
              display.c_str(), "--device-id", "link-fault", "--test-share-iterations", "1000",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100 && ::access((dir_ + "/sock").c_str(), F_OK) != 0; ++i) ::usleep(50000);
    ASSERT_EQ(::access((dir_ + "/sock").c_str(), F_OK), 0) << "appliance-sim did not open its socket";
  }

  void TearDown() override {
    if (proxy_) proxy_->Stop();
    if (sim_ > 0) {
      ::kill(sim_, SIGTERM);
      ::waitpid(sim_, nullptr, 0);
    }
    if (!dir_.empty()) {
      int rc;
      Out("rm -rf '" + dir_ + "'", &rc);
    }
  }

  // StartProxy puts a fresh fault proxy (seeded) in front of the sim.
  LinkFaultProxy& StartProxy(uint32_t seed) {
    if (proxy_) proxy_->Stop();
    proxy_ = std::make_unique<LinkFaultProxy>(dir_ + "/sock", dir_ + "/proxy.sock", seed);
    return *proxy_;
  }

  // Run runs a ceremony script through the proxy (which must be set up).
  std::string Run(const std::string& script, const std::string& answers, int* rc) {
    EXPECT_TRUE(proxy_->Start());
    const auto t0 = std::chrono::steady_clock::now();
    const std::string out = Out(bin_ + "/ceremony run '" + scripts_ + script + ".textproto' --media '" + dir_ +
                                    "/media' --socket '" + dir_ + "/proxy.sock' --answers '" + dir_ + "/secrets/" +
                                    answers + "'",
                                rc);
    proxy_->Stop();
    std::printf("--- %s: exit %d after %.1f s, %d frames relayed, faults injected:\n", script.c_str(), *rc,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), proxy_->frames_seen());
    for (const std::string& l : proxy_->Log()) std::printf("    %s\n", l.c_str());
    return out;
  }

  // Status asks the appliance directly (no proxy).
  appliance::v1::StatusResponse Status() {
    auto client = host_agent::LinkClient::ConnectUnix(dir_ + "/sock");
    EXPECT_TRUE(client.ok());
    if (!client.ok()) return {};
    appliance::v1::Request req;
    req.mutable_get_status();
    auto resp = (*client)->Call(req, 10000);
    EXPECT_TRUE(resp.ok() && resp->has_status());
    return resp.ok() ? resp->status() : appliance::v1::StatusResponse{};
  }

  // NothingHalfDone: no quorum session left open, no share counted as failed.
  void ExpectNothingHalfDone(appliance::v1::DeviceState want) {
    const auto s = Status();
    EXPECT_EQ(s.state(), want);
    EXPECT_EQ(s.pending_operation(), appliance::v1::OPERATION_UNSPECIFIED) << "a quorum session is still open";
    EXPECT_EQ(s.shares_accepted(), 0u);
    EXPECT_EQ(s.failed_attempts(), 0u) << "a fault was counted as a wrong passphrase";
  }

  void ExpectVerifiedOutputs() {
    const std::string media = dir_ + "/media";
    int rc;
    std::string v = Out("openssl verify -x509_strict -CAfile '" + media + "/out/root.crt' '" + media +
                            "/out/issuing.crt'",
                        &rc);
    EXPECT_EQ(rc, 0) << v;
    v = Out("openssl crl -verify -noout -CAfile '" + media + "/out/root.crt' -in '" + media + "/out/root.crl'", &rc);
    EXPECT_EQ(rc, 0) << v;
    // The intermediate carries the CSR's key.
    const std::string a = Out("openssl x509 -in '" + media + "/out/issuing.crt' -noout -pubkey", &rc);
    const std::string b = Out("openssl req -in '" + media + "/in/issuing.csr' -noout -pubkey", &rc);
    EXPECT_EQ(a, b);
  }

  std::string bin_, scripts_, dir_;
  pid_t sim_ = -1;
  std::unique_ptr<LinkFaultProxy> proxy_;
};

}  // namespace pki::testing

#endif  // PKI_TESTS_RELIABILITY_LINK_FAULT_FIXTURE_H_
