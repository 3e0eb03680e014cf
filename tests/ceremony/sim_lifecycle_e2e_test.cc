// End to end, the ceremonies after the quarterly one: revoke-intermediate,
// cross-sign, change-custodians and decommission, each run by the `ceremony`
// program against appliance-sim non-interactively, every artifact checked
// with the openssl CLI, every transcript verified (signature, chain,
// artifacts, journal export) with `ceremony verify-transcript`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "ceremony/transcript/journal_check.h"
#include "ceremony/transcript/transcript.h"
#include "common/file.h"
#include "tests/ceremony/sim_fixture.h"

namespace pki::ceremony {
namespace {

class SimLifecycleTest : public SimE2eTest {
 protected:
  std::string media() const { return dir_ + "/media"; }
  std::string tdir() const { return dir_ + "/media/out/transcripts/"; }
  std::string Ossl(const std::string& args, int* rc) { return Out("openssl " + args, rc); }
  // VerifyChained runs verify-transcript on |name| with its predecessor,
  // the media folder and the ceremony's journal export.
  // |media| false for an older transcript whose artifacts (out/root.crl)
  // later ceremonies replaced.
  void VerifyChained(const std::string& name, const std::string& previous, const std::string& journal,
                     bool with_media = true) {
    int rc;
    std::string extra = with_media ? " --media '" + media() + "'" : "";
    if (!previous.empty()) extra += " --previous '" + tdir() + previous + "'";
    if (!journal.empty()) extra += " --journal '" + media() + "/" + journal + "'";
    const std::string v = Verify(tdir() + name, &rc, extra);
    EXPECT_EQ(rc, 0) << v;
    if (!previous.empty()) {
      EXPECT_NE(v.find("chain"), std::string::npos) << v;
    }
    if (!journal.empty()) {
      EXPECT_NE(v.find("journal export"), std::string::npos) << v;
    }
  }
  void RootInit() {
    int rc;
    const std::string log = Run("root-init", "all.answers", &rc);
    ASSERT_EQ(rc, kCompleted) << log;
  }
};

std::string Field(const std::string& out, const std::string& prefix) {
  const size_t at = out.find(prefix);
  if (at == std::string::npos) return "";
  const size_t end = out.find('\n', at);
  return out.substr(at + prefix.size(), end == std::string::npos ? std::string::npos : end - at - prefix.size());
}

TEST_F(SimLifecycleTest, RevokeIntermediateThenIssueCrl) {
  ASSERT_NO_FATAL_FAILURE(RootInit());
  int rc;
  std::string log = Run("sign-intermediate", "two.answers", &rc, "1-root-init.transcript");
  ASSERT_EQ(rc, kCompleted) << log;
  const std::string m = media();
  ASSERT_TRUE(WriteFileAtomic(m + "/in/revoke.crt", AsBytes(*ReadFile(m + "/out/issuing.crt")), 0644).ok());
  // Before: the intermediate verifies against the CRL.
  std::string v = Ossl("verify -crl_check -CAfile '" + m + "/out/root.crt' -CRLfile '" + m + "/out/root.crl' '" + m +
                           "/out/issuing.crt'",
                       &rc);
  ASSERT_EQ(rc, 0) << v;
  const std::string serial = Field(Ossl("x509 -noout -serial -in '" + m + "/out/issuing.crt'", &rc), "serial=");
  ASSERT_FALSE(serial.empty());

  log = Run("revoke-intermediate", "two.answers", &rc, "2-sign-intermediate.transcript");
  ASSERT_EQ(rc, kCompleted) << log;
  for (const char* round : {"revoke-intermediate", "issue-crl"}) {
    SCOPED_TRACE(round);
    const std::string text = Ossl("crl -noout -text -in '" + m + "/out/root.crl'", &rc);
    ASSERT_EQ(rc, 0) << text;
    EXPECT_NE(text.find("Serial Number: " + serial), std::string::npos) << text;
    EXPECT_NE(text.find("Key Compromise"), std::string::npos) << text;
    v = Ossl("crl -verify -noout -CAfile '" + m + "/out/root.crt' -in '" + m + "/out/root.crl'", &rc);
    EXPECT_EQ(rc, 0) << v;
    v = Ossl("verify -crl_check -CAfile '" + m + "/out/root.crt' -CRLfile '" + m + "/out/root.crl' '" + m +
                 "/out/issuing.crt'",
             &rc);
    EXPECT_NE(rc, 0) << v;
    EXPECT_NE(v.find("certificate revoked"), std::string::npos) << v;
    if (std::string(round) == "revoke-intermediate") {
      VerifyChained("3-revoke-intermediate.transcript", "2-sign-intermediate.transcript", "out/journal-3.bin");
      // The next ceremony's CRL still lists the revoked serial.
      log = Run("issue-crl", "two.answers", &rc, "3-revoke-intermediate.transcript");
      ASSERT_EQ(rc, kCompleted) << log;
    }
  }
  VerifyChained("4-issue-crl.transcript", "3-revoke-intermediate.transcript", "out/journal-4.bin");
  // Each ceremony kept its own journal export: the earlier files are intact.
  VerifyChained("2-sign-intermediate.transcript", "1-root-init.transcript", "out/journal-2.bin", false);
  VerifyChained("1-root-init.transcript", "", "out/journal-1.bin");
}

TEST_F(SimLifecycleTest, CrossSignCertifiesTheNewRootKey) {
  ASSERT_NO_FATAL_FAILURE(RootInit());
  const std::string m = media();
  int rc;
  // The new root: its own key and self-signed certificate (with an SKI).
  std::string out = Ossl("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout '" + dir_ +
                             "/new-root.key' -subj '/C=DE/O=Example/CN=Example Root CA 2036' -days 3650"
                             " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
                             " -out '" + m + "/in/other-root.crt'",
                         &rc);
  ASSERT_EQ(rc, 0) << out;
  std::string log = Run("cross-sign", "two.answers", &rc, "1-root-init.transcript");
  ASSERT_EQ(rc, kCompleted) << log;
  EXPECT_NE(log.find("lint: clean"), std::string::npos) << log;
  const std::string cross = m + "/out/cross.crt", old_root = m + "/out/root.crt", new_root = m + "/in/other-root.crt";
  std::string v = Ossl("verify -x509_strict -CAfile '" + old_root + "' '" + cross + "'", &rc);
  EXPECT_EQ(rc, 0) << v;
  auto show = [&](const std::string& cert, const std::string& what) {
    return Ossl("x509 -noout " + what + " -nameopt RFC2253 -in '" + cert + "'", &rc);
  };
  EXPECT_EQ(show(cross, "-subject"), show(new_root, "-subject"));
  EXPECT_EQ(show(cross, "-ext subjectKeyIdentifier"), show(new_root, "-ext subjectKeyIdentifier"));
  EXPECT_NE(show(new_root, "-ext subjectKeyIdentifier").find("Subject Key Identifier"), std::string::npos);
  EXPECT_EQ(show(cross, "-pubkey"), show(new_root, "-pubkey"));
  EXPECT_EQ(Field(show(cross, "-issuer"), "issuer="), Field(show(old_root, "-subject"), "subject="));
  // The cross-certificate is signed by the old root's key, not the new one.
  v = Ossl("verify -CAfile '" + new_root + "' '" + cross + "'", &rc);
  EXPECT_NE(rc, 0) << v;
  // A certificate issued by the new root verifies for a client that trusts
  // only the old root, through the cross-certificate.
  out = Ossl("req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" + dir_ + "/leaf.key' -subj "
             "'/O=Example/CN=leaf.example' -out '" + dir_ + "/leaf.csr' && openssl x509 -req -in '" + dir_ +
             "/leaf.csr' -CA '" + new_root + "' -CAkey '" + dir_ + "/new-root.key' -days 30 -out '" + dir_ + "/leaf.crt'",
             &rc);
  ASSERT_EQ(rc, 0) << out;
  v = Ossl("verify -CAfile '" + old_root + "' -untrusted '" + cross + "' '" + dir_ + "/leaf.crt'", &rc);
  EXPECT_EQ(rc, 0) << v;
  VerifyChained("2-cross-sign.transcript", "1-root-init.transcript", "out/journal-2.bin");
}

TEST_F(SimLifecycleTest, ChangeCustodiansKeepsTheRootAndRetiresOldShares) {
  ASSERT_NO_FATAL_FAILURE(RootInit());
  const std::string m = media();
  const ApplianceStatus before = DeviceStatus();
  ASSERT_EQ(before.root_cert_sha256.size(), 32u);
  for (const char* n : {"carla", "dmitri", "eunji"}) {
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/" + n + ".new.pass", AsBytes(std::string(n) + " NEW passphrase 2027"), 0600)
                    .ok());
  }
  Answers("change.answers", R"pb(
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian"
present: "Eun-ji Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.pass" new_passphrase_file: "carla.new.pass" }
custodians { name: "Dmitri Custodian" passphrase_file: "dmitri.pass" new_passphrase_file: "dmitri.new.pass" }
custodians { name: "Eun-ji Custodian" passphrase_file: "eunji.pass" new_passphrase_file: "eunji.new.pass" }
)pb");
  Answers("two-new.answers", R"pb(
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.new.pass" }
custodians { name: "Dmitri Custodian" passphrase_file: "dmitri.new.pass" }
)pb");
  int rc;
  std::string log = Run("change-custodians", "change.answers", &rc, "1-root-init.transcript");
  ASSERT_EQ(rc, kCompleted) << log;
  EXPECT_EQ(log.find("NEW passphrase"), std::string::npos);
  struct stat st {};
  for (const char* n : {"Carla Custodian", "Dmitri Custodian", "Eun-ji Custodian"}) {
    ASSERT_EQ(stat((m + "/shares-new/" + n + ".share").c_str(), &st), 0) << n;
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  VerifyChained("2-change-custodians.transcript", "1-root-init.transcript", "out/journal-2.bin");
  const ApplianceStatus after = DeviceStatus();
  EXPECT_EQ(after.root_cert_sha256, before.root_cert_sha256);
  EXPECT_EQ(after.threshold, 2u);
  EXPECT_EQ(after.custodians.size(), 3u);

  // The old shares (and old passphrases) open nothing any more.
  log = Run("issue-crl", "two.answers", &rc, "2-change-custodians.transcript");
  EXPECT_EQ(rc, 1) << log;
  EXPECT_NE(log.find("Carla Custodian: share REJECTED"), std::string::npos) << log;
  EXPECT_NE(access((m + "/out/root.crl").c_str(), F_OK), 0);
  // The new ones, with the new passphrases, work; the root key is the same:
  // the CRL verifies under the root certificate from root-init.
  ASSERT_EQ(rename((m + "/shares").c_str(), (m + "/shares-old").c_str()), 0);
  ASSERT_EQ(rename((m + "/shares-new").c_str(), (m + "/shares").c_str()), 0);
  log = Run("issue-crl", "two-new.answers", &rc, "2-change-custodians.transcript");
  ASSERT_EQ(rc, kCompleted) << log;
  std::string v = Ossl("crl -verify -noout -CAfile '" + m + "/out/root.crt' -in '" + m + "/out/root.crl'", &rc);
  EXPECT_EQ(rc, 0) << v;
  VerifyChained("3-issue-crl.transcript", "2-change-custodians.transcript", "out/journal-3.bin");
}

TEST_F(SimLifecycleTest, DecommissionZeroizesAndRefusesEverythingAfter) {
  ASSERT_NO_FATAL_FAILURE(RootInit());
  const std::string m = media();
  const std::string sealed0 = dir_ + "/state/storage/k03000003.0", sealed1 = dir_ + "/state/storage/k03000003.1";
  ASSERT_TRUE(access(sealed0.c_str(), F_OK) == 0 || access(sealed1.c_str(), F_OK) == 0) << "sealed root key not where expected";
  int rc;
  std::string log = Run("decommission", "two.answers", &rc, "1-root-init.transcript");
  ASSERT_EQ(rc, kCompleted) << log;
  // Keys zeroized: the sealed root key is gone from storage.
  EXPECT_NE(access(sealed0.c_str(), F_OK), 0);
  EXPECT_NE(access(sealed1.c_str(), F_OK), 0);
  EXPECT_EQ(DeviceStatus().state, "DECOMMISSIONED");
  // The final CRL verifies; the destruction record is the appliance's signed
  // journal export ending with the DECOMMISSION record, and it is the journal
  // this signed transcript ends on.
  std::string v = Ossl("crl -verify -noout -CAfile '" + m + "/out/root.crt' -in '" + m + "/out/final-root.crl'", &rc);
  EXPECT_EQ(rc, 0) << v;
  VerifyChained("2-decommission.transcript", "1-root-init.transcript", "out/destruction-record.bin");
  VerifyChained("2-decommission.transcript", "1-root-init.transcript", "out/final-journal-2.bin");
  auto record = ReadFile(m + "/out/destruction-record.bin");
  ASSERT_TRUE(record.ok());
  std::string edited = *record;
  edited[edited.size() / 2] = static_cast<char>(edited[edited.size() / 2] ^ 0x01);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/edited-record.bin", AsBytes(edited), 0644).ok());
  v = Verify(tdir() + "2-decommission.transcript", &rc, " --journal '" + dir_ + "/edited-record.bin'");
  EXPECT_NE(rc, 0) << v;

  // Every later operation is refused, and nothing changes.
  const ApplianceStatus dead = DeviceStatus();
  for (const char* script : {"issue-crl", "decommission", "root-init"}) {
    log = Run(script, "all.answers", &rc, "2-decommission.transcript");
    EXPECT_NE(rc, 0) << script << "\n" << log;
    EXPECT_TRUE(log.find("decommissioned") != std::string::npos || log.find("UNPROVISIONED") != std::string::npos)
        << script << "\n" << log;
  }
  {  // one link client at a time: this one closes before DeviceStatus below
  auto client = host_agent::LinkClient::ConnectUnix(dir_ + "/sock");
  ASSERT_TRUE(client.ok());
  auto session = LinkApplianceSession::Create(std::move(*client), "");
  ASSERT_TRUE(session.ok());
  appliance::v1::BeginOperationRequest reqs[4];
  reqs[0].mutable_issue_crl()->set_next_update_days(30);
  reqs[1].mutable_revoke()->set_serial(std::string(8, '\x01'));
  reqs[2].mutable_decommission()->set_reason("again");
  reqs[3].mutable_set_time()->set_unix_seconds(4102444800);
  for (const auto& r : reqs) {
    auto p = (*session)->Begin(r);
    EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition) << p.status().message();
  }
  appliance::v1::InitRequest init;
  init.set_algorithm(appliance::v1::EC_P256);
  init.set_subject("CN=Again");
  init.set_validity_days(365);
  init.set_threshold(2);
  std::vector<CustodianPassphrase> passes;
  for (const char* n : {"a", "b"}) {
    init.add_custodians()->set_name(n);
    passes.push_back(CustodianPassphrase{n, SecretBuffer(AsBytes(std::string_view("long enough passphrase")))});
  }
  EXPECT_FALSE((*session)->Init(init, passes).ok());
  }
  const ApplianceStatus still = DeviceStatus();
  EXPECT_EQ(still.state, "DECOMMISSIONED");
  EXPECT_EQ(still.crl_number, dead.crl_number);
  EXPECT_EQ(still.root_cert_sha256, dead.root_cert_sha256);
}

// Every custodian re-enters their new share before the appliance commits a
// split. One who can't (wrong passphrase) blocks root-init: the appliance
// stays unprovisioned, the share files are gone, the error names them, and a
// rerun starts clean.
TEST_F(SimLifecycleTest, RootInitNeedsEveryCustodianToConfirmTheirShare) {
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/typo.pass", AsBytes("dmitri passphrase long enuogh"), 0600).ok());
  Answers("typo.answers", R"pb(
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian"
present: "Eun-ji Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.pass" new_passphrase_file: "carla.pass" }
custodians { name: "Dmitri Custodian" passphrase_file: "dmitri.pass" new_passphrase_file: "dmitri.pass" confirm_passphrase_file: "typo.pass" }
custodians { name: "Eun-ji Custodian" passphrase_file: "eunji.pass" new_passphrase_file: "eunji.pass" }
)pb");
  int rc;
  std::string log = Run("root-init", "typo.answers", &rc);
  EXPECT_EQ(rc, 1) << log;
  EXPECT_NE(log.find("custodian Dmitri Custodian did not confirm their new share"), std::string::npos) << log;
  EXPECT_NE(log.find("cancelled on the appliance"), std::string::npos) << log;
  EXPECT_EQ(log.find("enuogh"), std::string::npos);
  EXPECT_EQ(DeviceStatus().state, "UNPROVISIONED");
  EXPECT_NE(access((media() + "/out/root.crt").c_str(), F_OK), 0);
  EXPECT_NE(access((media() + "/shares/Carla Custodian.share").c_str(), F_OK), 0);
  EXPECT_GE(DeviceStatus().journal_sequence, 1u);
  ASSERT_NO_FATAL_FAILURE(RootInit());
  EXPECT_EQ(DeviceStatus().state, "LOCKED");
}

// A new custodian who can't confirm blocks the re-split: the old split stays
// in force (the old shares still work), the new share files are removed.
TEST_F(SimLifecycleTest, UnconfirmedResplitKeepsTheOldCustodians) {
  ASSERT_NO_FATAL_FAILURE(RootInit());
  for (const char* n : {"carla", "dmitri", "eunji"}) {
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/secrets/" + n + ".new.pass", AsBytes(std::string(n) + " NEW passphrase 2027"), 0600)
                    .ok());
  }
  Answers("change-typo.answers", R"pb(
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian"
present: "Eun-ji Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.pass" new_passphrase_file: "carla.new.pass" }
custodians { name: "Dmitri Custodian" passphrase_file: "dmitri.pass" new_passphrase_file: "dmitri.new.pass" }
custodians { name: "Eun-ji Custodian" passphrase_file: "eunji.pass" new_passphrase_file: "eunji.new.pass" confirm_passphrase_file: "eunji.pass" }
)pb");
  int rc;
  std::string log = Run("change-custodians", "change-typo.answers", &rc, "1-root-init.transcript");
  EXPECT_EQ(rc, 1) << log;
  EXPECT_NE(log.find("custodian Eun-ji Custodian did not confirm their new share"), std::string::npos) << log;
  EXPECT_NE(access((media() + "/shares-new/Carla Custodian.share").c_str(), F_OK), 0);
  log = Run("issue-crl", "two.answers", &rc, "2-change-custodians.transcript");
  EXPECT_EQ(rc, kCompleted) << log;
  std::string v = Ossl("crl -verify -noout -CAfile '" + media() + "/out/root.crt' -in '" + media() + "/out/root.crl'", &rc);
  EXPECT_EQ(rc, 0) << v;
}

// A profile with name constraints: the appliance writes them (critical), the
// host's lint finds exactly the profile's subtrees (clean), openssl shows them.
TEST_F(SimLifecycleTest, NameConstrainedIntermediateLintsClean) {
  ASSERT_NO_FATAL_FAILURE(RootInit());
  auto text = ReadFile(scripts_ + "sign-intermediate.textproto");
  ASSERT_TRUE(text.ok());
  std::string edited = *text;
  const std::string from = "profile { name: \"issuing-tls\" validity_days: 1095 path_len: 0 }";
  const size_t at = edited.find(from);
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, from.size(),
                 "profile { name: \"issuing-tls\" validity_days: 1095 path_len: 0 permitted_dns: \"example.com\" "
                 "excluded_dns: \"internal.example.com\" }");
  const std::string script = dir_ + "/nc-sign-intermediate.textproto";
  ASSERT_TRUE(WriteFileAtomic(script, AsBytes(edited), 0644).ok());
  int rc;
  std::string log = Out(bin_ + "/ceremony run '" + script + "' --media '" + media() + "' --socket '" + dir_ +
                            "/sock' --answers '" + dir_ + "/secrets/two.answers'",
                        &rc);
  ASSERT_EQ(rc, kCompleted) << log;
  EXPECT_NE(log.find("lint: clean"), std::string::npos) << log;
  const std::string shown = Ossl("x509 -noout -ext nameConstraints -in '" + media() + "/out/issuing.crt'", &rc);
  EXPECT_NE(shown.find("critical"), std::string::npos) << shown;
  EXPECT_NE(shown.find("DNS:example.com"), std::string::npos) << shown;
  EXPECT_NE(shown.find("DNS:internal.example.com"), std::string::npos) << shown;
  std::string v = Ossl("verify -x509_strict -CAfile '" + media() + "/out/root.crt' '" + media() + "/out/issuing.crt'", &rc);
  EXPECT_EQ(rc, 0) << v;
}

// Five wrong shares in a row lock quorum sessions out: a ceremony that needs
// a quorum is refused with the reason, one that does not (export-journal)
// still runs.
TEST_F(SimLifecycleTest, LockoutAfterWrongSharesRefusesQuorumCeremonies) {
  ASSERT_NO_FATAL_FAILURE(RootInit());
  auto share = ReadFile(media() + "/shares/Dmitri Custodian.share");
  ASSERT_TRUE(share.ok());
  {
    auto client = host_agent::LinkClient::ConnectUnix(dir_ + "/sock");
    ASSERT_TRUE(client.ok());
    auto session = LinkApplianceSession::Create(std::move(*client), "");
    ASSERT_TRUE(session.ok());
    appliance::v1::BeginOperationRequest req;
    req.mutable_issue_crl()->set_next_update_days(30);
    auto p = (*session)->Begin(req);
    ASSERT_TRUE(p.ok()) << p.status().message();
    const SecretBuffer wrong(AsBytes(std::string_view("not dmitri's passphrase")));
    for (int i = 0; i < 5; ++i) {
      auto n = (*session)->SubmitShare(p->nonce, "Dmitri Custodian", *share, wrong);
      EXPECT_EQ(n.status().code(), StatusCode::kPermissionDenied) << i << n.status().message();
    }
  }
  const ApplianceStatus st = DeviceStatus();
  EXPECT_EQ(st.consecutive_failures, 5u);
  EXPECT_GT(st.lockout_seconds, 0u);
  int rc;
  std::string log = Run("issue-crl", "two.answers", &rc, "1-root-init.transcript");
  EXPECT_EQ(rc, 1) << log;
  EXPECT_NE(log.find("WARNING: the appliance refuses quorum sessions"), std::string::npos) << log;
  EXPECT_NE(log.find("locked out after 5 wrong shares"), std::string::npos) << log;
  EXPECT_NE(access((media() + "/out/root.crl").c_str(), F_OK), 0);
  log = Run("export-journal", "two.answers", &rc, "1-root-init.transcript");
  EXPECT_EQ(rc, kCompleted) << log;
}

}  // namespace
}  // namespace pki::ceremony
