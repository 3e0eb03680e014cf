// signerctl status against a running signerd (issue 4): two real SoftHSMv2
// tokens holding replicas of one key, behind the fault-injecting module
// (tests/mocks/faulty_pkcs11). A token taken out of rotation shows with its
// reason class and since when, then back after recovery; a daemon that is not
// there gets a clear message and exit 2.
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
#include "http_get.h"
#include "signerd_harness.h"

namespace pki {
namespace {

using namespace std::chrono_literals;

using testing::CommandResult;
using testing::HttpGet;
using testing::RunShell;
using testing::RunSignerctl;

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
    // signerd loads faulty_pkcs11, which forwards to SoftHSMv2 and reads the
    // faults to inject from the control file (empty: none).
    ::setenv("FAULTY_PKCS11_TARGET", testing::kSoftHsmModule, 1);
    testing::SignerdSetup setup;
    setup.module = FAULTY_PKCS11_PATH;
    setup.tokens = {"status-a", "status-b"};
    setup.release_key = testing::ReleaseKey::kReplicated;
    setup.metrics = true;
    setup.server_extra = {"health_refresh_ms: 100"};
    setup.hsm_extra = {"probe_interval_ms: 100", "reinit_backoff_max_ms: 200"};
    setup.ci_rights = "sign";
    auto harness = testing::SignerdHarness::Create(setup);
    ASSERT_TRUE(harness.ok()) << harness.status().message();
    h_ = std::move(*harness);
    dir_ = h_->dir();
    config_ = h_->config_path();
    control_ = dir_ + "/faults";
    ::setenv("FAULTY_PKCS11_CONTROL", control_.c_str(), 1);
    SetFaults("");
  }

  void SetFaults(const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic(control_, AsBytes(text), 0600).ok());
  }

  // StartSignerd runs signerd and returns its metrics address ("" and a
  // failure if it did not serve).
  std::string StartSignerd() {
    const StatusOr<std::string> addr = h_->Start();
    if (addr.ok()) return h_->process().metrics_address();
    ADD_FAILURE() << addr.status().message() << h_->Diagnostics();
    return "";
  }

  // WaitForStatus polls `signerctl status` until |pred| holds (up to 15 s);
  // returns the last output.
  template <typename Pred>
  std::string WaitForStatus(const std::string& admin, Pred pred) {
    CommandResult r;
    const auto until = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < until) {
      r = RunSignerctl("status --admin " + admin);
      if (r.exit_code == 0 && pred(r.output)) return r.output;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "status never got there; last (exit " << r.exit_code << "):\n" << r.output;
    return r.output;
  }

  std::unique_ptr<testing::SignerdHarness> h_;
  std::string dir_, control_, config_;
};

TEST_F(SignerctlStatusTest, ShowsATokenOutOfRotationAndBackAfterRecovery) {
  const std::string admin = StartSignerd();
  ASSERT_FALSE(admin.empty());

  // Both tokens in rotation, the key served by both.
  CommandResult r = RunSignerctl("status --admin " + admin);
  ASSERT_EQ(r.exit_code, 0) << r.output << h_->Diagnostics();
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
  EXPECT_NE(r.output.find(h_->pki().crl_file), std::string::npos) << "client CRL listed: " << r.output;
  EXPECT_EQ(r.output.find(testing::kUserPin), std::string::npos) << "a PIN in the status";

  // The JSON page, as scripts read it.
  CommandResult json = RunSignerctl("status --json --admin " + admin);
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
  EXPECT_NE(metrics.find("signer_client_crl_next_update_timestamp_seconds{file=\"" + h_->pki().crl_file + "\"} 1"),
            std::string::npos)
      << metrics;
  // Same through the JSON page: the reason class and since when.
  json = RunSignerctl("status --json --admin " + admin);
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
bool Sh(const std::string& cmd) { return RunShell(cmd).exit_code == 0; }

TEST_F(SignerctlStatusTest, ConfigCheckWarnsButPassesForAClientCrlPastOrNearItsNextUpdate) {
  // The fixture's CRL is fresh (a day ahead): no warning.
  CommandResult r = RunSignerctl("config check --config " + config_);
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
  r = RunSignerctl("config check --config " + config_);
  EXPECT_EQ(r.exit_code, 0) << "a warning, not a failure: " << r.output;
  EXPECT_NE(r.output.find("warning: " + dir_ + "/crl.pem: client CRL of /CN=CrlTestCA reaches its nextUpdate"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(r.output.find(" in 1h59m") != std::string::npos || r.output.find(" in 2h0m") != std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(": OK"), std::string::npos) << r.output;

  std::filesystem::copy_file(d + "/past.pem", dir_ + "/crl.pem", std::filesystem::copy_options::overwrite_existing);
  r = RunSignerctl("config check --config " + config_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("client CRL of /CN=CrlTestCA is past its nextUpdate"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("refuses every client of that CA"), std::string::npos) << r.output;

  // DER is read too.
  ASSERT_TRUE(Sh("openssl crl -in " + d + "/past.pem -outform DER -out " + dir_ + "/crl.pem"));
  r = RunSignerctl("config check --config " + config_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("is past its nextUpdate"), std::string::npos) << r.output;

  testing::WriteText(dir_ + "/crl.pem", "not a CRL\n");
  r = RunSignerctl("config check --config " + config_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("crl.pem: no CRL in the file"), std::string::npos) << r.output;
}

TEST_F(SignerctlStatusTest, ADaemonThatIsNotThereIsAClearFailure) {
  const std::string admin = StartSignerd();
  ASSERT_FALSE(admin.empty());
  EXPECT_EQ(h_->Stop(), 0);
  CommandResult r = RunSignerctl("status --admin " + admin);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("UNAVAILABLE"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("signerd is not reachable at " + admin), std::string::npos) << r.output;

  // --config with metrics_listen port 0 can't know the port: says so.
  r = RunSignerctl("status --config " + config_);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("port 0"), std::string::npos) << r.output;
  // A config with a fixed metrics port: read from the file, nothing there.
  testing::WriteText(dir_ + "/fixed.yaml", "server:\n  metrics_listen: \"" + admin + "\"\n");
  r = RunSignerctl("status --config " + dir_ + "/fixed.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not reachable at " + admin), std::string::npos) << r.output;
  // No metrics listener configured: no status page.
  testing::WriteText(dir_ + "/nometrics.yaml", "server:\n  listen: \"127.0.0.1:0\"\n");
  r = RunSignerctl("status --config " + dir_ + "/nometrics.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("metrics_listen is not set"), std::string::npos) << r.output;
  // Bad input.
  r = RunSignerctl("status --admin 10.0.0.1:9464");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("must be loopback"), std::string::npos) << r.output;
  EXPECT_EQ(RunSignerctl("status").exit_code, 1);
}

}  // namespace
}  // namespace pki
