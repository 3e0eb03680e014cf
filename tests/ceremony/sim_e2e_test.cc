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
#include "tests/ceremony/sim_fixture.h"

namespace pki::ceremony {
namespace {

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
  auto journal = ReadFile(dir_ + "/media/out/journal-1.bin");
  ASSERT_TRUE(journal.ok());
  Status s = CheckJournalExport(*t, *journal, *key);
  EXPECT_TRUE(s.ok()) << s.message();
  std::string edited = *journal;
  edited[30] = static_cast<char>(edited[30] ^ 0x01);
  s = CheckJournalExport(*t, edited, *key);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("journal export"), std::string_view::npos) << s.message();
}

// `ceremony audit-key` writes the key the appliance signs with, as PEM, and
// prints the SHA-256 of its DER SubjectPublicKeyInfo (what the room writes
// down at root-init); openssl computes the same fingerprint; it is the key
// root-init's transcript verifies under.
TEST_F(SimE2eTest, AuditKeyCommandWritesPemAndFingerprint) {
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, kCompleted) << log;
  const std::string out = Out(bin_ + "/ceremony audit-key --socket '" + dir_ + "/sock' --out '" + dir_ + "/ak.pem'", &rc);
  ASSERT_EQ(rc, 0) << out;
  const std::string digest = Out("openssl pkey -pubin -in '" + dir_ + "/ak.pem' -outform DER | openssl dgst -sha256 -r", &rc);
  ASSERT_EQ(rc, 0) << digest;
  EXPECT_NE(out.find("audit key SHA-256 " + digest.substr(0, 64)), std::string::npos) << out << digest;
  EXPECT_NE(out.find("PGP words"), std::string::npos) << out;
  std::string v = Out(bin_ + "/ceremony verify-transcript '" + dir_ + "/media/out/transcripts/1-root-init.transcript' --audit-key '" +
                          dir_ + "/ak.pem' --journal '" + dir_ + "/media/out/journal-1.bin'",
                      &rc);
  EXPECT_EQ(rc, 0) << v;
  // No appliance: a clear error, nothing written.
  const std::string bad = Out(bin_ + "/ceremony audit-key --socket '" + dir_ + "/nosock' --out '" + dir_ + "/ak2.pem'", &rc);
  EXPECT_NE(rc, 0) << bad;
  EXPECT_NE(access((dir_ + "/ak2.pem").c_str(), F_OK), 0);
}

// Records made between ceremonies (here 40 aborted quorum sessions) are in
// the next ceremony's export, which is then larger than one 4 KiB link
// chunk: the exported file is several signed exports back to back, and it
// verifies (and is tied to the transcript) as a whole.
TEST_F(SimE2eTest, MultiChunkJournalExport) {
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, kCompleted) << log;
  {
    auto client = host_agent::LinkClient::ConnectUnix(dir_ + "/sock");
    ASSERT_TRUE(client.ok());
    auto session = LinkApplianceSession::Create(std::move(*client), "");
    ASSERT_TRUE(session.ok());
    for (int i = 0; i < 40; ++i) {
      appliance::v1::BeginOperationRequest req;
      req.mutable_issue_crl()->set_next_update_days(30);
      auto p = (*session)->Begin(req);
      ASSERT_TRUE(p.ok()) << p.status().message();
      ASSERT_TRUE((*session)->Abort(p->nonce).ok());
    }
  }
  log = Run("export-journal", "two.answers", &rc, "1-root-init.transcript");
  ASSERT_EQ(rc, kCompleted) << log;
  const std::string path = dir_ + "/media/out/journal-2.bin";
  auto journal = ReadFile(path);
  ASSERT_TRUE(journal.ok());
  EXPECT_GT(journal->size(), 8192u);  // at least three chunks
  const std::string tdir = dir_ + "/media/out/transcripts/";
  std::string v = Verify(tdir + "2-export-journal.transcript", &rc,
                         " --previous '" + tdir + "1-root-init.transcript' --media '" + dir_ + "/media' --journal '" + path + "'");
  EXPECT_EQ(rc, 0) << v;
  // An edited byte in the second chunk is named.
  std::string edited = *journal;
  edited[5000] = static_cast<char>(edited[5000] ^ 0x01);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/edited.bin", AsBytes(edited), 0644).ok());
  v = Verify(tdir + "2-export-journal.transcript", &rc, " --journal '" + dir_ + "/edited.bin'");
  EXPECT_NE(rc, 0) << v;
  EXPECT_NE(v.find("chunk 2"), std::string::npos) << v;
}

// An answers file that does not fit the script is refused before anything
// reaches the appliance, naming the line.
TEST_F(SimE2eTest, AnswersFileCheckedAgainstTheScript) {
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/bad.answers",
                              AsBytes(std::string(kAllPresent) + "present: \"Mallory\"\n"), 0600).ok());
  const uint64_t before = DeviceStatus().journal_sequence;
  int rc;
  std::string log = Run("root-init", "bad.answers", &rc);
  EXPECT_EQ(rc, 2) << log;
  EXPECT_NE(log.find("answers line 7: 'Mallory' is not one of script root-init's people"), std::string::npos) << log;
  EXPECT_EQ(DeviceStatus().state, "UNPROVISIONED");
  EXPECT_EQ(DeviceStatus().journal_sequence, before);
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
