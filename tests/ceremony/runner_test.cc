// Runner against the fake appliance, non-interactively from answers files:
// the shipped root-init, sign-intermediate and issue-crl scripts end to end
// (artifacts checked with the openssl CLI), and the fault cases.
#include "ceremony/runner/runner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "ceremony/runner/answers_prompter.h"
#include "ceremony/transcript/transcript.h"
#include "common/file.h"
#include "tests/ceremony/test_fixtures.h"
#include "tests/ceremony/fake_appliance_session.h"

namespace pki::ceremony {
namespace {

int Sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ceremony_runner_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    media_ = root_ + "/media";
    secrets_ = root_ + "/secrets";
    ASSERT_EQ(mkdir(media_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((media_ + "/in").c_str(), 0755), 0);
    ASSERT_TRUE(MakePrivateDir(secrets_).ok());
    WritePass("carla.pass", "carla correct horse");
    WritePass("dmitri.pass", "dmitri battery staple");
    WritePass("eunji.pass", "eun-ji purple monkey");
    ASSERT_EQ(Sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" + root_ +
                 "/issuing.key' -subj '/O=Example/CN=Example Issuing TLS' -out '" + media_ + "/in/issuing.csr'"),
              0);
  }
  void TearDown() override { EXPECT_EQ(Sh("rm -rf '" + root_ + "'"), 0); }

  void WritePass(const std::string& name, const std::string& pass) {
    ASSERT_TRUE(WriteFileAtomic(secrets_ + "/" + name, AsBytes(pass), 0600).ok());
  }

  static std::string ShippedScript(const std::string& name) {
    const char* src = CeremonySourceDir();
    EXPECT_NE(src, nullptr);
    auto text = ReadFile(std::string(src) + "/ceremony/scripts/" + name + ".textproto");
    EXPECT_TRUE(text.ok());
    return text.ok() ? *text : "";
  }

  StatusOr<RunResult> RunScript(const std::string& name, const std::string& answers,
                                const std::string& previous = "", bool allow_production = false,
                                const std::string& script_text = "") {
    auto text = StatusOr<std::string>(script_text.empty() ? ShippedScript(name) : script_text);
    auto script = Script::Parse(*text, nullptr);
    EXPECT_TRUE(script.ok()) << script.status().message();
    log_.clear();
    auto prompter = AnswersPrompter::Create(answers, secrets_, &log_);
    EXPECT_TRUE(prompter.ok()) << prompter.status().message();
    RunOptions options;
    options.media_dir = media_;
    options.previous_transcript = previous.empty() ? "" : media_ + "/" + previous;
    options.allow_production = allow_production;
    auto runner = Runner::Create(**script, appliance_, **prompter, options);
    EXPECT_TRUE(runner.ok());
    return (*runner)->Run();
  }

  bool Exists(const std::string& rel) {
    struct stat st {};
    return stat((media_ + "/" + rel).c_str(), &st) == 0;
  }

  Status VerifyTranscript(const std::string& rel, const std::string& previous_rel) {
    auto bytes = ReadFile(media_ + "/" + rel);
    if (!bytes.ok()) return bytes.status();
    PKI_ASSIGN_OR_RETURN(v1::SignedTranscript t, ParseSignedTranscript(*bytes));
    VerifyOptions o;
    o.audit_public_key_der = appliance_.audit_public_key();
    o.media_dir = media_;
    if (!previous_rel.empty()) {
      auto prev = ReadFile(media_ + "/" + previous_rel);
      if (!prev.ok()) return prev.status();
      PKI_ASSIGN_OR_RETURN(o.previous, ParseSignedTranscript(*prev));
    }
    return Verify(t, o);
  }

  void RootInit() {
    auto r = RunScript("root-init", kAllPresent);
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_EQ(r->outcome, v1::COMPLETED) << r->status.message() << "\n" << log_;
  }

  testing::FakeApplianceSession appliance_;
  std::string root_, media_, secrets_, log_;
};

TEST_F(RunnerTest, RootInitSignIntermediateIssueCrlVerifiedByOpenssl) {
  RootInit();
  EXPECT_TRUE(Exists("out/root.crt"));
  struct stat st {};
  ASSERT_EQ(stat((media_ + "/shares/Carla Custodian.share").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(VerifyTranscript("out/transcripts/1-root-init.transcript", "").ok());

  auto r = RunScript("sign-intermediate", kTwoCustodians, "out/transcripts/1-root-init.transcript");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->outcome, v1::COMPLETED) << r->status.message() << "\n" << log_;
  EXPECT_EQ(r->transcript_path, "out/transcripts/2-sign-intermediate.transcript");
  EXPECT_EQ(Sh("openssl verify -x509_strict -CAfile '" + media_ + "/out/root.crt' '" + media_ + "/out/issuing.crt'"), 0);
  EXPECT_EQ(Sh("openssl crl -verify -noout -CAfile '" + media_ + "/out/root.crt' -in '" + media_ + "/out/root.crl'"), 0);
  // The log shows the digests as hex and PGP words and each artifact's SHA-256.
  EXPECT_NE(log_.find("PGP words "), std::string::npos);
  EXPECT_NE(log_.find("out out/issuing.crt  SHA-256 "), std::string::npos) << log_;
  // The transcript: signed, chained to root-init, shares #1 and #2, CRL number moved.
  Status v = VerifyTranscript(r->transcript_path, "out/transcripts/1-root-init.transcript");
  EXPECT_TRUE(v.ok()) << v.message();
  bool saw_shares = false;
  for (const auto& s : r->body.steps()) {
    if (s.step_id() == "sign-shares") {
      saw_shares = true;
      ASSERT_EQ(s.share_indices_size(), 2);
      EXPECT_EQ(s.share_indices(0), 1u);
      EXPECT_EQ(s.share_indices(1), 2u);
    }
  }
  EXPECT_TRUE(saw_shares);
  EXPECT_EQ(r->body.before().crl_number(), 0u);
  EXPECT_EQ(r->body.after().crl_number(), 1u);
  EXPECT_EQ(r->body.appliance().device_id(), "fake-0001");

  auto crl = RunScript("issue-crl", kTwoCustodians, "out/transcripts/2-sign-intermediate.transcript");
  ASSERT_TRUE(crl.ok());
  ASSERT_EQ(crl->outcome, v1::COMPLETED) << crl->status.message();
  EXPECT_EQ(Sh("openssl crl -verify -noout -CAfile '" + media_ + "/out/root.crt' -in '" + media_ + "/out/root.crl'"), 0);
  EXPECT_TRUE(VerifyTranscript(crl->transcript_path, "out/transcripts/2-sign-intermediate.transcript").ok());
  // An edited artifact fails verification, naming the file.
  ASSERT_TRUE(WriteFileAtomic(media_ + "/out/root.crl", AsBytes("edited"), 0644).ok());
  Status edited = VerifyTranscript(crl->transcript_path, "out/transcripts/2-sign-intermediate.transcript");
  EXPECT_NE(edited.message().find("out/root.crl"), std::string_view::npos) << edited.message();
}

TEST_F(RunnerTest, WrongPassphraseIsNamedAndLeavesNothingOpen) {
  RootInit();
  WritePass("dmitri.pass", "not dmitri's passphrase");
  auto r = RunScript("sign-intermediate", kTwoCustodians, "out/transcripts/1-root-init.transcript");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, v1::FAILED);
  EXPECT_EQ(r->status.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r->status.message().find("quorum not reached: 1 of 2"), std::string_view::npos) << r->status.message();
  EXPECT_NE(r->status.message().find("Dmitri Custodian (share rejected"), std::string_view::npos) << r->status.message();
  EXPECT_FALSE(appliance_.has_pending_operation());
  EXPECT_EQ(appliance_.aborts(), 1);
  EXPECT_EQ(appliance_.executed(), 0);
  EXPECT_FALSE(Exists("out/issuing.crt"));
  // The passphrase never reaches the log or the transcript.
  EXPECT_EQ(log_.find("not dmitri's passphrase"), std::string::npos);
  std::string body;
  ASSERT_TRUE(r->body.SerializeToString(&body));
  EXPECT_EQ(body.find("not dmitri's passphrase"), std::string::npos);
  // A failed ceremony still leaves a signed transcript saying so.
  EXPECT_TRUE(VerifyTranscript(r->transcript_path, "out/transcripts/1-root-init.transcript").ok());

  // Re-running with the right passphrase starts cleanly and completes.
  WritePass("dmitri.pass", "dmitri battery staple");
  auto again = RunScript("sign-intermediate", kTwoCustodians, r->transcript_path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, v1::COMPLETED) << again->status.message() << "\n" << log_;
  EXPECT_TRUE(Exists("out/issuing.crt"));
}

TEST_F(RunnerTest, MissingCustodianStopsBeforeTheAppliance) {
  RootInit();
  const std::string answers = R"pb(present: "Avery Admin" present: "Carla Custodian" present: "Wanda Witness")pb";
  auto r = RunScript("sign-intermediate", answers, "out/transcripts/1-root-init.transcript");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, v1::FAILED);
  EXPECT_NE(r->status.message().find("custodian Dmitri Custodian is absent"), std::string_view::npos)
      << r->status.message();
  EXPECT_EQ(appliance_.begins(), 0);
}

TEST_F(RunnerTest, DeclinedExecutionAbortsOnTheAppliance) {
  RootInit();
  const std::string answers = std::string(kTwoCustodians) +
                              "steps { step_id: \"sign-execute\" confirm: false deviation: \"CSR subject questioned\" }";
  auto r = RunScript("sign-intermediate", answers, "out/transcripts/1-root-init.transcript");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, v1::ABORTED);
  EXPECT_FALSE(appliance_.has_pending_operation());
  EXPECT_EQ(appliance_.aborts(), 1);
  EXPECT_EQ(appliance_.executed(), 0);
  EXPECT_FALSE(Exists("out/issuing.crt"));
  EXPECT_NE(r->body.outcome_detail().find("aborted on the appliance"), std::string::npos);
}

TEST_F(RunnerTest, DeviationIsRecordedByTheWitness) {
  RootInit();
  const std::string answers = std::string(kTwoCustodians) +
                              "steps { step_id: \"attendance\" confirm: true deviation: \"started 10 minutes late\" }";
  auto r = RunScript("sign-intermediate", answers, "out/transcripts/1-root-init.transcript");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->outcome, v1::COMPLETED);
  ASSERT_EQ(r->body.deviations_size(), 1);
  EXPECT_EQ(r->body.deviations(0).recorded_by(), "Wanda Witness");
  EXPECT_EQ(r->body.deviations(0).text(), "started 10 minutes late");
}

TEST_F(RunnerTest, ProductionApplianceNeedsAllowProduction) {
  appliance_.production_build = true;
  auto r = RunScript("root-init", kAllPresent);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("--allow-production"), std::string_view::npos);
  EXPECT_FALSE(Exists("out/root.crt"));
  auto allowed = RunScript("root-init", kAllPresent, "", /*allow_production=*/true);
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->outcome, v1::COMPLETED);
  EXPECT_TRUE(allowed->body.appliance().production_build());
}

TEST_F(RunnerTest, ReleasedCertificateMustBeThePreviewedOne) {
  RootInit();
  appliance_.tamper_result = true;
  auto r = RunScript("sign-intermediate", kTwoCustodians, "out/transcripts/1-root-init.transcript");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, v1::FAILED);
  EXPECT_NE(r->status.message().find("differs from the previewed bytes"), std::string_view::npos)
      << r->status.message();
  EXPECT_FALSE(Exists("out/issuing.crt"));
}

TEST_F(RunnerTest, MissingPassphraseFileIsNamed) {
  RootInit();
  const std::string answers = R"pb(
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.pass" })pb";
  auto r = RunScript("sign-intermediate", answers, "out/transcripts/1-root-init.transcript");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, v1::FAILED);
  EXPECT_NE(r->status.message().find("no passphrase file for custodian 'Dmitri Custodian'"), std::string_view::npos)
      << r->status.message();
  EXPECT_FALSE(appliance_.has_pending_operation());
}

TEST_F(RunnerTest, LintFindingFailsUnlessTheScriptWaivesIt) {
  RootInit();
  appliance_.short_serial = true;
  auto r = RunScript("sign-intermediate", kTwoCustodians, "out/transcripts/1-root-init.transcript");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, v1::FAILED);
  EXPECT_NE(r->status.message().find("lint: serial-not-20-bytes"), std::string_view::npos) << r->status.message();
  EXPECT_EQ(appliance_.executed(), 0);
  EXPECT_FALSE(appliance_.has_pending_operation());
  ASSERT_EQ(r->body.lint_size(), 1);
  EXPECT_FALSE(r->body.lint(0).waived());

  std::string waived = ShippedScript("sign-intermediate");
  waived.replace(waived.find("quorum {"), 8,
                 "lint_exceptions { name: \"serial-not-20-bytes\" reason: \"rehearsal of the waiver path\" }\nquorum {");
  auto ok = RunScript("sign-intermediate", kTwoCustodians, r->transcript_path, false, waived);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->outcome, v1::COMPLETED) << ok->status.message();
  ASSERT_EQ(ok->body.lint_size(), 1);
  EXPECT_TRUE(ok->body.lint(0).waived());
  EXPECT_EQ(ok->body.lint(0).name(), "serial-not-20-bytes");
}

}  // namespace
}  // namespace pki::ceremony
