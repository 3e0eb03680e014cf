// sim_fixture.h — the `ceremony` program against a fresh appliance-sim on a
// unix socket in a temp folder: media folder, passphrase files, the demo
// team's answers files, and helpers to run ceremonies and verify transcripts.
#ifndef PKI_TESTS_CEREMONY_SIM_FIXTURE_H_
#define PKI_TESTS_CEREMONY_SIM_FIXTURE_H_

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "ceremony/session/link_session.h"
#include "common/file.h"
#include "tests/ceremony/test_fixtures.h"

namespace pki::ceremony {

// The appliance signs transcripts over the link (SignTranscript): a
// completed `ceremony run` exits 0 (6 would be "completed, unsigned").
inline constexpr int kCompleted = 0;

inline std::string Out(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class SimE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("PKI_BIN_DIR");
    const char* src = CeremonySourceDir();
    ASSERT_NE(bin, nullptr);
    ASSERT_NE(src, nullptr);
    bin_ = bin;
    scripts_ = std::string(src) + "/ceremony/scripts/";
    if (access((bin_ + "/appliance-sim").c_str(), X_OK) != 0) GTEST_SKIP() << "appliance-sim not built";
    char tmpl[] = "/tmp/ceremony_e2e_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(mkdir((dir_ + "/media").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((dir_ + "/media/in").c_str(), 0755), 0);
    ASSERT_TRUE(MakePrivateDir(dir_ + "/secrets").ok());
    for (const char* n : {"carla", "dmitri", "eunji"}) {
      ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/" + n + ".pass",
                                  AsBytes(std::string(n) + " passphrase long enough"), 0600).ok());
    }
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/all.answers", AsBytes(kAllPresent), 0600).ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/two.answers", AsBytes(kTwoCustodians), 0600).ok());
    int rc;
    Out("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" + dir_ +
            "/issuing.key' -subj '/O=Example/CN=Example Issuing TLS' -out '" + dir_ + "/media/in/issuing.csr'",
        &rc);
    ASSERT_EQ(rc, 0);
    sim_ = fork();
    ASSERT_GE(sim_, 0);
    if (sim_ == 0) {
      const std::string sim = bin_ + "/appliance-sim";
      const std::string state = dir_ + "/state", sock = dir_ + "/sock", display = dir_ + "/display.txt";
      execl(sim.c_str(), sim.c_str(), "--state-dir", state.c_str(), "--socket", sock.c_str(), "--display-file",
            display.c_str(), "--device-id", "sim-e2e", "--test-share-iterations", "1000", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 100 && access((dir_ + "/sock").c_str(), F_OK) != 0; ++i) usleep(50000);
    ASSERT_EQ(access((dir_ + "/sock").c_str(), F_OK), 0) << "appliance-sim did not open its socket";
  }
  void TearDown() override {
    if (sim_ > 0) {
      kill(sim_, SIGTERM);
      waitpid(sim_, nullptr, 0);
    }
    if (!dir_.empty()) {
      int rc;
      Out("rm -rf '" + dir_ + "'", &rc);
    }
  }

  std::string Run(const std::string& script, const std::string& answers, int* rc,
                  const std::string& previous = "") {
    return Out(bin_ + "/ceremony run '" + scripts_ + script + ".textproto' --media '" + dir_ + "/media' --socket '" +
                   dir_ + "/sock' --answers '" + dir_ + "/secrets/" + answers + "'" +
                   (previous.empty() ? "" : " --previous-transcript '" + dir_ + "/media/out/transcripts/" + previous + "'"),
               rc);
  }

  // AuditKeyPem writes the appliance's audit key with `ceremony audit-key`
  // (for `ceremony verify-transcript --audit-key`).
  std::string AuditKeyPem() {
    int rc;
    const std::string out = Out(bin_ + "/ceremony audit-key --socket '" + dir_ + "/sock' --out '" + dir_ + "/audit.pem'", &rc);
    EXPECT_EQ(rc, 0) << out;
    return dir_ + "/audit.pem";
  }
  std::string Verify(const std::string& transcript, int* rc, const std::string& extra = "") {
    return Out(bin_ + "/ceremony verify-transcript '" + transcript + "' --audit-key '" + AuditKeyPem() + "'" + extra, rc);
  }

  // Answers writes an answers file into the secrets folder (0600).
  void Answers(const std::string& name, const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/" + name, AsBytes(text), 0600).ok());
  }
  // Status asks the appliance for its status over a fresh link session.
  ApplianceStatus DeviceStatus() {
    auto client = host_agent::LinkClient::ConnectUnix(dir_ + "/sock");
    EXPECT_TRUE(client.ok()) << client.status().message();
    if (!client.ok()) return {};
    auto session = LinkApplianceSession::Create(std::move(*client), "");
    auto st = (*session)->GetStatus();
    EXPECT_TRUE(st.ok()) << st.status().message();
    return st.ok() ? *st : ApplianceStatus{};
  }

  std::string bin_, scripts_, dir_;
  pid_t sim_ = -1;
};

}  // namespace pki::ceremony

#endif  // PKI_TESTS_CEREMONY_SIM_FIXTURE_H_
