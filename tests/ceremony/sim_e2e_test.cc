// End to end: the `ceremony` program against appliance-sim over its unix
// socket, non-interactively: root-init, then sign-intermediate (which also
// issues the root CRL), then issue-crl. Every artifact is checked with the
// openssl CLI (verify -x509_strict, crl -verify) and the CRL number must rise.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "ceremony/session/link_session.h"
#include "ceremony/transcript/journal_check.h"
#include "ceremony/transcript/transcript.h"
#include "common/file.h"
#include "tests/ceremony/test_fixtures.h"

namespace pki::ceremony {
namespace {

// The appliance signs transcripts over the link (SignTranscript): a
// completed `ceremony run` exits 0 (6 would be "completed, unsigned").
constexpr int kCompleted = 0;

std::string Out(const std::string& cmd, int* rc) {
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

  // AuditKeyPem asks the appliance for its audit key (GetStatus) and writes
  // it as PEM (openssl pkey) for `ceremony verify-transcript --audit-key`.
  std::string AuditKeyPem() {
    auto client = host_agent::LinkClient::ConnectUnix(dir_ + "/sock");
    EXPECT_TRUE(client.ok()) << client.status().message();
    if (!client.ok()) return "";
    auto session = LinkApplianceSession::Create(std::move(*client), "");
    auto key = (*session)->AuditPublicKeyDer();
    EXPECT_TRUE(key.ok()) << key.status().message();
    if (!key.ok()) return "";
    EXPECT_TRUE(WriteFileAtomic(dir_ + "/audit.der", AsBytes(*key), 0644).ok());
    int rc;
    std::string out = Out("openssl pkey -pubin -inform DER -in '" + dir_ + "/audit.der' -out '" + dir_ + "/audit.pem'", &rc);
    EXPECT_EQ(rc, 0) << out;
    return dir_ + "/audit.pem";
  }
  std::string Verify(const std::string& transcript, int* rc, const std::string& extra = "") {
    return Out(bin_ + "/ceremony verify-transcript '" + transcript + "' --audit-key '" + AuditKeyPem() + "'" + extra, rc);
  }

  std::string bin_, scripts_, dir_;
  pid_t sim_ = -1;
};

TEST_F(SimE2eTest, RootInitSignIntermediateIssueCrl) {
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, kCompleted) << log;
  const std::string media = dir_ + "/media";
  struct stat st {};
  ASSERT_EQ(stat((media + "/shares/Carla Custodian.share").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // No passphrase in the log.
  EXPECT_EQ(log.find("passphrase long enough"), std::string::npos);

  log = Run("sign-intermediate", "two.answers", &rc, "1-root-init.transcript");
  ASSERT_EQ(rc, kCompleted) << log;
  EXPECT_NE(log.find("lint: clean"), std::string::npos) << log;
  // Chained: sequence 2, and the printable rendering exists.
  EXPECT_EQ(access((media + "/out/transcripts/2-sign-intermediate.md").c_str(), F_OK), 0) << log;
  std::string v = Out("openssl verify -x509_strict -CAfile '" + media + "/out/root.crt' '" + media + "/out/issuing.crt'", &rc);
  EXPECT_EQ(rc, 0) << v;
  v = Out("openssl crl -verify -noout -CAfile '" + media + "/out/root.crt' -in '" + media + "/out/root.crl'", &rc);
  EXPECT_EQ(rc, 0) << v;
  const std::string first_number = Out("openssl crl -noout -crlnumber -in '" + media + "/out/root.crl'", &rc);
  // Both transcripts so far are signed by the appliance's audit key and
  // verify with the independent verifier, chained and with their artifacts.
  const std::string tdir = media + "/out/transcripts/";
  v = Verify(tdir + "1-root-init.transcript", &rc);
  EXPECT_EQ(rc, 0) << v;
  v = Verify(tdir + "2-sign-intermediate.transcript", &rc,
             " --previous '" + tdir + "1-root-init.transcript' --media '" + media + "'");
  EXPECT_EQ(rc, 0) << v;
  EXPECT_NE(v.find("chain, artifacts"), std::string::npos) << v;
  EXPECT_NE(access((tdir + "1-root-init.unsigned.transcript").c_str(), F_OK), 0);

  log = Run("issue-crl", "two.answers", &rc, "2-sign-intermediate.transcript");
  ASSERT_EQ(rc, kCompleted) << log;
  v = Out("openssl crl -verify -noout -CAfile '" + media + "/out/root.crt' -in '" + media + "/out/root.crl'", &rc);
  EXPECT_EQ(rc, 0) << v;
  const std::string second_number = Out("openssl crl -noout -crlnumber -in '" + media + "/out/root.crl'", &rc);
  EXPECT_NE(first_number, second_number);
  EXPECT_LT(std::stoul(first_number.substr(first_number.find("0x") + 2), nullptr, 16),
            std::stoul(second_number.substr(second_number.find("0x") + 2), nullptr, 16));
  v = Verify(tdir + "3-issue-crl.transcript", &rc,
             " --previous '" + tdir + "2-sign-intermediate.transcript' --media '" + media + "'");
  EXPECT_EQ(rc, 0) << v;
  // The root certificate came from the appliance (GetRootCertificate), not
  // the media: later ceremonies work with out/root.crt gone.
  ASSERT_EQ(rename((media + "/out/root.crt").c_str(), (dir_ + "/root.crt.moved").c_str()), 0);
  log = Run("issue-crl", "two.answers", &rc, "3-issue-crl.transcript");
  EXPECT_EQ(rc, kCompleted) << log;
  v = Out("openssl crl -verify -noout -CAfile '" + dir_ + "/root.crt.moved' -in '" + media + "/out/root.crl'", &rc);
  EXPECT_EQ(rc, 0) << v;
}

// A transcript edited after signing, or signed under another label (the
// bare digest), fails `ceremony verify-transcript`.
TEST_F(SimE2eTest, TamperedTranscriptFailsVerification) {
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, kCompleted) << log;
  const std::string path = dir_ + "/media/out/transcripts/1-root-init.transcript";
  std::string v = Verify(path, &rc);
  ASSERT_EQ(rc, 0) << v;
  auto bytes = ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  auto t = ParseSignedTranscript(*bytes);
  ASSERT_TRUE(t.ok());
  // Flip one byte of the signed body.
  v1::SignedTranscript edited = *t;
  std::string body = edited.body();
  body[body.size() / 2] = static_cast<char>(body[body.size() / 2] ^ 0x01);
  edited.set_body(body);
  std::string raw;
  edited.SerializeToString(&raw);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/tampered.transcript", AsBytes(raw), 0644).ok());
  v = Verify(dir_ + "/tampered.transcript", &rc);
  EXPECT_NE(rc, 0) << v;
  // Another key than the pinned one fails too.
  Out("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '" + dir_ + "/other.key' && openssl pkey -in '" +
          dir_ + "/other.key' -pubout -out '" + dir_ + "/other.pem'",
      &rc);
  ASSERT_EQ(rc, 0);
  v = Out(bin_ + "/ceremony verify-transcript '" + path + "' --audit-key '" + dir_ + "/other.pem'", &rc);
  EXPECT_NE(rc, 0) << v;
}

// The journal export a ceremony wrote verifies with the journal's own
// verifier under the appliance's audit key and is tied to the transcript; an
// edited byte fails, naming where.
TEST_F(SimE2eTest, JournalExportTiedToTranscript) {
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, kCompleted) << log;
  auto client = host_agent::LinkClient::ConnectUnix(dir_ + "/sock");
  ASSERT_TRUE(client.ok()) << client.status().message();
  auto session = LinkApplianceSession::Create(std::move(*client), "");
  ASSERT_TRUE(session.ok());
  auto key = (*session)->AuditPublicKeyDer();
  ASSERT_TRUE(key.ok()) << key.status().message();
  auto bytes = ReadFile(dir_ + "/media/out/transcripts/1-root-init.transcript");
  ASSERT_TRUE(bytes.ok());
  auto t = ParseSignedTranscript(*bytes);
  ASSERT_TRUE(t.ok());
  auto journal = ReadFile(dir_ + "/media/out/journal.bin");
  ASSERT_TRUE(journal.ok());
  Status s = CheckJournalExport(*t, *journal, *key);
  EXPECT_TRUE(s.ok()) << s.message();
  std::string edited = *journal;
  edited[30] = static_cast<char>(edited[30] ^ 0x01);
  s = CheckJournalExport(*t, edited, *key);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("journal export"), std::string_view::npos) << s.message();
}

TEST_F(SimE2eTest, WrongPassphraseAbortsAndRerunSucceeds) {
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, kCompleted) << log;
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/dmitri.pass", AsBytes("wrong wrong wrong"), 0600).ok());
  log = Run("sign-intermediate", "two.answers", &rc);
  EXPECT_EQ(rc, 1) << log;
  EXPECT_NE(log.find("Dmitri Custodian: share REJECTED"), std::string::npos) << log;
  EXPECT_NE(log.find("open operation aborted on the appliance"), std::string::npos) << log;
  EXPECT_NE(access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/dmitri.pass", AsBytes("dmitri passphrase long enough"), 0600).ok());
  log = Run("sign-intermediate", "two.answers", &rc);
  EXPECT_EQ(rc, kCompleted) << log;
  EXPECT_EQ(access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace pki::ceremony
