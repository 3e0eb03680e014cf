// The harness itself: the config it writes is one signerctl accepts, a
// setup it cannot make is refused, signerd starts, restarts (each run's own
// output), stops with an anchor the audit log verifies against, and a signerd
// that cannot start is reported with its stderr; secrets stay in 0600 files
// and the folder goes with the harness.
#include <sys/stat.h>

#include <filesystem>
#include <regex>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit_log_reader.h"
#include "shell.h"
#include "signerd_harness.h"

namespace pki::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 0777u : 07777u;
}

TEST(ShellTest, ReturnsExitCodeAndOutputAndKeepsTheCommandsOwnRedirections) {
  CommandResult r = RunShell("echo to-out; echo to-err >&2; exit 3");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.output, HasSubstr("to-out"));
  EXPECT_THAT(r.output, HasSubstr("to-err"));
  const std::string dir = MakeTempDir("shell_test");
  r = RunShell("echo kept 2> " + dir + "/err.txt >&2; echo shown");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "shown\n");
  EXPECT_EQ(ReadText(dir + "/err.txt"), "kept\n");
  std::filesystem::remove_all(dir);
}

TEST(AuditLogReaderTest, LastShutdownAnchorIsTheLastCompleteOne) {
  const std::string h1(64, 'a'), h2(64, 'b');
  const auto anchor = LastShutdownAnchor("signerd: stopped; audit head seq 3 sha256 " + h1 +
                                         "\nsignerd: listening on x\nsignerd: stopped; audit head seq 12 sha256 " +
                                         h2 + "\n");
  ASSERT_TRUE(anchor.has_value());
  EXPECT_EQ(anchor->seq, "12");
  EXPECT_EQ(anchor->head, h2);
  EXPECT_FALSE(LastShutdownAnchor("signerd: listening on 127.0.0.1:1\n").has_value());
  EXPECT_FALSE(LastShutdownAnchor("signerd: stopped; audit head seq 3 sha256 abc\n").has_value());  // cut short
}

TEST(SignerdHarnessTest, RefusesASetupItCannotMake) {
  SignerdSetup none;
  none.tokens.clear();
  auto h = SignerdHarness::Create(none);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(h.status().message()), HasSubstr("tokens"));

  SignerdSetup two;
  two.tokens = {"gen-a", "gen-b"};  // a generated key cannot be on two tokens
  h = SignerdHarness::Create(two);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(h.status().message()), HasSubstr("kReplicated"));
}

TEST(SignerdHarnessTest, WritesAConfigSignerctlAcceptsWithThePinOnlyInA0600File) {
  SignerdSetup setup;
  setup.tokens = {"cfg-a", "cfg-b"};
  setup.release_key = ReleaseKey::kReplicated;
  setup.metrics = true;
  setup.server_extra = {"health_refresh_ms: 100"};
  setup.hsm_extra = {"probe_interval_ms: 100"};
  auto h = SignerdHarness::Create(setup);
  ASSERT_TRUE(h.ok()) << h.status().message();
  SignerdHarness& fx = **h;
  const CommandResult check = RunSignerctl("config check --config " + fx.config_path());
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr(": OK"));
  const std::string config = ReadText(fx.config_path());
  EXPECT_THAT(config, HasSubstr("pkcs11:token=cfg-b;object=release;type=private"));
  EXPECT_THAT(config, HasSubstr("  health_refresh_ms: 100\n"));
  EXPECT_THAT(config, HasSubstr("  probe_interval_ms: 100\n"));
  EXPECT_THAT(config, Not(HasSubstr(kUserPin)));
  EXPECT_EQ(ReadText(fx.tokens().pin_file()), kUserPin);
  EXPECT_EQ(ModeOf(fx.tokens().pin_file()), 0600u);
  EXPECT_EQ(ModeOf(fx.dir()), 0700u);
  EXPECT_EQ(ModeOf(fx.dir() + "/state"), 0700u);
  EXPECT_EQ(ModeOf(fx.pki().server.key_file), 0600u);
}

TEST(SignerdHarnessTest, StartsRestartsAndStopsWithAnAnchorTheLogVerifiesAgainst) {
  SignerdSetup setup;
  setup.metrics = true;
  std::string dir;
  {
    auto h = SignerdHarness::Create(setup);
    ASSERT_TRUE(h.ok()) << h.status().message();
    SignerdHarness& fx = **h;
    dir = fx.dir();
    const StatusOr<std::string> first = fx.Start();
    ASSERT_TRUE(first.ok()) << first.status().message() << fx.Diagnostics();
    const std::regex loopback("127\\.0\\.0\\.1:[1-9][0-9]*");
    EXPECT_TRUE(std::regex_match(*first, loopback)) << *first;
    EXPECT_TRUE(std::regex_match(fx.process().metrics_address(), loopback)) << fx.process().metrics_address();
    EXPECT_TRUE(fx.process().running());
    const StatusOr<std::string> twice = fx.Start();
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_TRUE(fx.Reload().ok());
    EXPECT_TRUE(fx.process().WaitForOutput(SignerdStream::kStdout, "signerd: reloaded policy (1 clients)"))
        << fx.Diagnostics();

    ASSERT_TRUE(fx.Kill9().ok());
    EXPECT_FALSE(fx.process().running());
    EXPECT_EQ(fx.Kill9().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(fx.Reload().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(fx.Stop(), -1);

    // The restart reads its own "listening on" line, not the first run's.
    const StatusOr<std::string> second = fx.Start();
    ASSERT_TRUE(second.ok()) << second.status().message() << fx.Diagnostics();
    const std::string run = fx.process().RunOutput(SignerdStream::kStdout);
    EXPECT_THAT(run, HasSubstr("signerd: listening on " + *second + "\n"));
    EXPECT_EQ(run.find("signerd: listening on "), run.rfind("signerd: listening on ")) << run;
    EXPECT_THAT(run, Not(HasSubstr("reloaded policy")));
    EXPECT_THAT(ReadText(fx.out_path()), HasSubstr("reloaded policy"));  // the first run's, kept
    // One signature, so the log has a record to anchor.
    WriteText(fx.dir() + "/payload", "harness");
    const CommandResult sign =
        RunShell(fx.bin() + "/signer-client --server " + *second + " --server-name localhost --ca " + fx.pki().ca_file +
                 " --cert " + fx.pki().ci.cert_file + " --key " + fx.pki().ci.key_file +
                 " sign --key release --alg ecdsa-p256-sha256 --in " + fx.dir() + "/payload --out " + fx.dir() +
                 "/payload.sig --request-id harness-1");
    EXPECT_EQ(sign.exit_code, 0) << sign.output;
    EXPECT_EQ(fx.Stop(), 0);

    const auto anchor = LastShutdownAnchor(fx.process().RunOutput(SignerdStream::kStdout));
    ASSERT_TRUE(anchor.has_value()) << fx.Diagnostics();
    EXPECT_EQ(anchor->seq, "1");
    const CommandResult verify = fx.AuditVerify("--expect-seq " + anchor->seq + " --expect-head " + anchor->head);
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
    EXPECT_EQ(ModeOf(fx.audit_path()), 0600u);
    EXPECT_THAT(ReadText(fx.audit_path()), HasSubstr("\"request_id\":\"harness-1\""));
    EXPECT_THAT(ReadText(fx.out_path()) + ReadText(fx.err_path()), Not(HasSubstr(kUserPin)));
  }
  EXPECT_FALSE(std::filesystem::exists(dir)) << "the harness left " << dir;
}

TEST(SignerdHarnessTest, ASignerdThatCannotStartIsUnavailableWithItsStderr) {
  auto h = SignerdHarness::Create(SignerdSetup{});
  ASSERT_TRUE(h.ok()) << h.status().message();
  SignerdHarness& fx = **h;
  WriteText(fx.config_path(), ReadText(fx.config_path()) + "bogus: 1\n", 0600);
  const StatusOr<std::string> addr = fx.Start();
  ASSERT_FALSE(addr.ok());
  EXPECT_EQ(addr.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(std::string(addr.status().message()), HasSubstr("exited before it served"));
  EXPECT_FALSE(fx.process().running());
  EXPECT_THAT(fx.Diagnostics(), HasSubstr("bogus: unknown field"));
}

}  // namespace
}  // namespace pki::testing
