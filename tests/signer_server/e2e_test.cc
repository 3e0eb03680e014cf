// End to end: a SoftHSMv2 token in a temp folder with a key generated inside
// it (its public key read back with pkcs11-tool), a real signerd process
// started from a generated config, signer-client over mutual TLS, `openssl
// dgst -verify` on the result, and the audit log's chain checked after
// signerd stops.
//
// The token is made through PKCS#11 and signerd reads its PIN from a 0600
// file (tests/signerd_harness): no PIN on any command line.
#include <memory>
#include <string>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_verify.h"
#include "http_get.h"
#include "signerd_harness.h"

namespace pki::signer {
namespace {

using ::testing::HasSubstr;
using testing::SignerdStream;

int Shell(const std::string& cmd) { return testing::RunShell(cmd).exit_code; }

class SignerdE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SignerdSetup setup;  // token signer-a, key "release" made in it, client "ci"
    setup.metrics = true;
    auto harness = testing::SignerdHarness::Create(setup);
    ASSERT_TRUE(harness.ok()) << harness.status().message();
    h_ = std::move(*harness);
    dir_ = h_->dir();
  }

  // StartSignerd runs signerd and returns its address ("" and a failure if
  // it did not serve).
  std::string StartSignerd() {
    const StatusOr<std::string> addr = h_->Start();
    if (addr.ok()) return *addr;
    ADD_FAILURE() << addr.status().message() << h_->Diagnostics();
    return "";
  }

  std::string Client(const testing::Credential& cred, const std::string& addr) {
    return h_->bin() + "/signer-client --server " + addr + " --server-name localhost --ca " + h_->pki().ca_file +
           " --cert " + cred.cert_file + " --key " + cred.key_file + " ";
  }

  std::unique_ptr<testing::SignerdHarness> h_;
  std::string dir_;
};

TEST_F(SignerdE2eTest, SoftHsmKeySignsAFileThatOpenSslVerifies) {
  const std::string addr = StartSignerd();
  ASSERT_FALSE(addr.empty());
  testing::WriteText(dir_ + "/artifact.bin", std::string(100000, 'A') + "release 1.2.3");
  const std::string client = Client(h_->pki().ci, addr);
  ASSERT_EQ(Shell(client + "sign --key release --alg ecdsa-p256-sha256 --in " + dir_ + "/artifact.bin --out " +
                dir_ + "/artifact.sig --request-id e2e-1 > " + dir_ + "/client.out 2>&1"),
            0)
      << testing::ReadText(dir_ + "/client.out");
  EXPECT_THAT(testing::ReadText(dir_ + "/client.out"), HasSubstr("audit id 1:1"));
  ASSERT_EQ(Shell(client + "public-key --key release --out " + dir_ + "/pub.pem > /dev/null 2>&1"), 0);
  // pkcs11-tool, a second tool on the same token, sees the same public key.
  ASSERT_EQ(Shell(std::string("pkcs11-tool --module ") + testing::kSoftHsmModule +
                  " --token-label signer-a --read-object --type pubkey --label release -o " +
                dir_ + "/pub.der >/dev/null 2>&1"), 0);
  ASSERT_EQ(Shell("openssl pkey -pubin -inform DER -in " + dir_ + "/pub.der -out " + dir_ + "/pub-tool.pem"), 0);
  EXPECT_EQ(testing::ReadText(dir_ + "/pub.pem"), testing::ReadText(dir_ + "/pub-tool.pem"));
  // The independent check.
  EXPECT_EQ(Shell("openssl dgst -sha256 -verify " + dir_ + "/pub.pem -signature " + dir_ + "/artifact.sig " + dir_ +
                "/artifact.bin > " + dir_ + "/verify.out 2>&1"),
            0)
      << testing::ReadText(dir_ + "/verify.out");
  EXPECT_THAT(testing::ReadText(dir_ + "/verify.out"), HasSubstr("Verified OK"));
  testing::WriteText(dir_ + "/tampered.bin", std::string(100000, 'A') + "release 1.2.4");
  EXPECT_NE(Shell("openssl dgst -sha256 -verify " + dir_ + "/pub.pem -signature " + dir_ + "/artifact.sig " + dir_ +
                "/tampered.bin > /dev/null 2>&1"),
            0);
  // A client from another CA can't even connect; an unknown key is NOT_FOUND.
  EXPECT_EQ(Shell(Client(h_->pki().other_ca_client, addr) + "list-keys > /dev/null 2>&1"), 3);
  EXPECT_EQ(Shell(client + "sign --key nope --alg ecdsa-p256-sha256 --in " + dir_ + "/artifact.bin --out " + dir_ +
                "/x.sig > " + dir_ + "/nf.out 2>&1"),
            3);
  EXPECT_THAT(testing::ReadText(dir_ + "/nf.out"), HasSubstr("NOT_FOUND: key not found [KEY_NOT_FOUND]"));

  // Metrics on the loopback port.
  const std::string& metrics_address = h_->process().metrics_address();
  ASSERT_EQ(metrics_address.rfind("127.0.0.1:", 0), 0u) << metrics_address;
  const std::string metrics = testing::HttpGet(metrics_address, "/metrics");
  EXPECT_THAT(metrics, HasSubstr("signer_requests_total{method=\"Sign\",code=\"OK\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("signer_requests_total{method=\"Sign\",code=\"NOT_FOUND\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("signer_key_up{key=\"release\",version=\"1\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("signer_audit_last_seq 3"));

  EXPECT_EQ(h_->Stop(), 0);
  EXPECT_THAT(h_->process().RunOutput(SignerdStream::kStdout), HasSubstr("signerd: stopped; audit head seq 3 "));
  auto report = VerifyAuditLog(ListAuditFiles(h_->audit_path()));
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, 3u);  // sign, public-key, refused sign (the other CA never got in)
  const std::string log = testing::ReadText(h_->audit_path());
  EXPECT_THAT(log, HasSubstr("\"request_id\":\"e2e-1\",\"key\":\"release\",\"key_version\":1"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr(testing::kUserPin)));  // no PIN anywhere in the journal
}

TEST_F(SignerdE2eTest, SighupReloadsPolicyAndRefusesABadConfig) {
  const std::string addr = StartSignerd();
  ASSERT_FALSE(addr.empty());
  testing::WriteText(dir_ + "/a.bin", "payload");
  const std::string sign = "sign --key release --alg ecdsa-p256-sha256 --in " + dir_ + "/a.bin --out " + dir_ + "/a.sig";
  const std::string builder = Client(h_->pki().builder, addr) + sign;
  EXPECT_EQ(Shell(builder + " > /dev/null 2>&1"), 3);  // not in the policy yet
  // A config that fails validation is refused; the old policy keeps serving.
  const std::string good = testing::ReadText(h_->config_path());
  testing::WriteText(h_->config_path(), good + "bogus: 1\n");
  ASSERT_TRUE(h_->Reload().ok());
  EXPECT_TRUE(h_->process().WaitForOutput(SignerdStream::kStderr, "reload refused: bogus: unknown field"))
      << h_->Diagnostics();
  EXPECT_EQ(Shell(Client(h_->pki().ci, addr) + sign + " > /dev/null 2>&1"), 0);
  // A good config with a new client takes effect without a restart.
  std::string grown = good;
  grown.replace(grown.find("audit:"), 6,
                "    - name: builder\n      dns_san: builder.example.org\n"
                "      keys: [{key: release, rights: [sign]}]\naudit:");
  testing::WriteText(h_->config_path(), grown);
  ASSERT_TRUE(h_->Reload().ok());
  EXPECT_TRUE(h_->process().WaitForOutput(SignerdStream::kStdout, "signerd: reloaded policy (2 clients)"))
      << h_->Diagnostics();
  EXPECT_EQ(Shell(builder + " > " + dir_ + "/b.out 2>&1"), 0) << testing::ReadText(dir_ + "/b.out");
  EXPECT_EQ(h_->Stop(), 0);
  EXPECT_TRUE(VerifyAuditLog(ListAuditFiles(h_->audit_path())).ok());
}


// Issue 7 end to end: an issuing key and a code-signing key in the token,
// their certificates made by a test root (openssl, from the token's public
// keys); signerd issues a certificate through signer-client that
// `openssl verify -x509_strict` accepts, and sign-artifact makes a detached
// CMS that `openssl cms -verify` accepts (and refuses for a modified file).
TEST_F(SignerdE2eTest, IssuesCertificatesAndSignsArtifactsAsCms) {
  const std::string d = dir_ + "/";
  const std::string tool = std::string("pkcs11-tool --module ") + testing::kSoftHsmModule + " --token-label signer-a ";
  for (const std::string label : {"issuing", "codesign"}) {
    const StatusOr<std::string> key = h_->tokens().GenerateKey("signer-a", label, "ec-p256");
    ASSERT_TRUE(key.ok()) << key.status().message();
    ASSERT_EQ(Shell(tool + "--read-object --type pubkey --label " + label + " -o " + d + label +
                    "-pub.der >/dev/null 2>&1"), 0);
    ASSERT_EQ(Shell("openssl pkey -pubin -inform DER -in " + d + label + "-pub.der -out " + d + label + "-pub.pem"), 0);
  }
  testing::WriteText(d + "root.cnf",
                     "[req]\ndistinguished_name=dn\nx509_extensions=v3\nprompt=no\n[dn]\nCN=E2E Root\n"
                     "[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                     "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n");
  ASSERT_EQ(Shell("openssl req -x509 -config " + d + "root.cnf -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                  d + "root.key -out " + d + "root.pem -days 30 2>/dev/null"), 0);
  testing::WriteText(d + "ca.ext", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
                                   "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n");
  testing::WriteText(d + "cs.ext", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                                   "extendedKeyUsage=codeSigning\nsubjectKeyIdentifier=hash\n"
                                   "authorityKeyIdentifier=keyid:always\n");
  for (const auto& [label, subj, ext] : {std::tuple{"issuing", "/CN=E2E Issuing CA", "ca.ext"},
                                         std::tuple{"codesign", "/CN=E2E Code Signing", "cs.ext"}}) {
    ASSERT_EQ(Shell(std::string("openssl x509 -new -subj '") + subj + "' -force_pubkey " + d + label + "-pub.pem -CA " +
                    d + "root.pem -CAkey " + d + "root.key -days 30 -extfile " + d + ext + " -out " + d + label +
                    ".pem 2>/dev/null"), 0);
    testing::WriteText(d + label + "-chain.pem",
                       testing::ReadText(d + label + ".pem") + testing::ReadText(d + "root.pem"));
  }
  std::string cfg = testing::ReadText(h_->config_path());
  cfg.replace(cfg.find("policy:"), 7, R"(  - name: issuing
    purpose: certificate-issuance
    versions:
      - version: 1
        uris: ["pkcs11:token=signer-a;object=issuing;type=private"]
        chain_file: issuing-chain.pem
  - name: codesign
    purpose: artifact-signing
    versions:
      - version: 1
        uris: ["pkcs11:token=signer-a;object=codesign;type=private"]
        chain_file: codesign-chain.pem
issuers:
  - key: issuing
    signature_algorithm: ecdsa-p256-sha256
    crl_urls: ["http://crl.example.com/issuing.crl"]
policy:)");
  const std::string ci_keys = "      keys: [{key: release, rights: [sign, get-public-key]}]";
  cfg.replace(cfg.find(ci_keys), ci_keys.size(),
              "      keys: [{key: release, rights: [sign, get-public-key]},\n"
              "             {key: codesign, rights: [sign, get-public-key]}]\n"
              "      issue: [tls-server]\n"
              "      allowlist: {dns_suffixes: [example.com]}");
  testing::WriteText(h_->config_path(), cfg);
  const std::string addr = StartSignerd();
  ASSERT_FALSE(addr.empty());
  const std::string client = Client(h_->pki().ci, addr);

  // IssueCertificate through signer-client, checked by openssl.
  ASSERT_EQ(Shell("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d +
                  "leaf.key -subj /CN=www.example.com -addext subjectAltName=DNS:www.example.com -out " + d +
                  "leaf.csr 2>/dev/null"), 0);
  ASSERT_EQ(Shell(client + "issue --profile tls-server --csr " + d + "leaf.csr --request-id e2e-issue-1 --ref order-1 --out " +
                  d + "leaf.pem --chain-out " + d + "leaf-chain.pem > " + d + "issue.out 2>&1"), 0)
      << testing::ReadText(d + "issue.out");
  EXPECT_EQ(testing::ReadText(d + "leaf-chain.pem"), testing::ReadText(d + "issuing.pem"));  // no root on the wire
  EXPECT_EQ(Shell("openssl verify -x509_strict -CAfile " + d + "root.pem -untrusted " + d + "leaf-chain.pem " + d +
                  "leaf.pem > " + d + "verify.out 2>&1"), 0)
      << testing::ReadText(d + "verify.out");
  // A profile the client may not use is refused.
  EXPECT_EQ(Shell(client + "issue --profile code-signing --csr " + d + "leaf.csr --request-id e2e-issue-2 --out " + d +
                  "x.pem > " + d + "denied.out 2>&1"), 3);
  EXPECT_THAT(testing::ReadText(d + "denied.out"), HasSubstr("PERMISSION_DENIED"));

  // sign-artifact: client-side CMS over the Sign RPC.
  testing::WriteText(d + "artifact.bin", std::string(200000, 'B') + "firmware 2.0");
  ASSERT_EQ(Shell(client + "sign-artifact --key codesign --in " + d + "artifact.bin --out " + d + "artifact.p7s > " + d +
                  "cms.out 2>&1"), 0)
      << testing::ReadText(d + "cms.out");
  const std::string cms_verify = "openssl cms -verify -binary -inform DER -in " + d + "artifact.p7s -CAfile " + d +
                                 "root.pem -purpose any -out /dev/null -content ";
  EXPECT_EQ(Shell(cms_verify + d + "artifact.bin > " + d + "cmsv.out 2>&1"), 0) << testing::ReadText(d + "cmsv.out");
  testing::WriteText(d + "modified.bin", std::string(200000, 'B') + "firmware 2.1");
  EXPECT_NE(Shell(cms_verify + d + "modified.bin > /dev/null 2>&1"), 0);
  const std::string local_verify = h_->bin() + "/signer-client verify-artifact --sig " + d + "artifact.p7s --ca " + d +
                                   "root.pem --in ";
  EXPECT_EQ(Shell(local_verify + d + "artifact.bin > /dev/null 2>&1"), 0);
  EXPECT_EQ(Shell(local_verify + d + "modified.bin > /dev/null 2>&1"), 3);

  // SIGHUP rebuilds the engine from the (unchanged) config; issuing goes on.
  ASSERT_TRUE(h_->Reload().ok());
  EXPECT_TRUE(h_->process().WaitForOutput(SignerdStream::kStdout, "reloaded policy (1 clients), 4 profiles"))
      << h_->Diagnostics();
  EXPECT_EQ(Shell(client + "issue --profile tls-server --csr " + d + "leaf.csr --request-id e2e-issue-3 --out " + d +
                  "leaf3.pem > " + d + "issue3.out 2>&1"), 0)
      << testing::ReadText(d + "issue3.out");
  EXPECT_EQ(Shell("openssl verify -x509_strict -CAfile " + d + "root.pem -untrusted " + d + "leaf-chain.pem " + d +
                  "leaf3.pem > /dev/null 2>&1"), 0);

  // Idempotency survives the reload and a restart (even a kill -9: the
  // outcome record with the certificate was durable before it was released):
  // the same request id and CSR get the byte-identical certificate back,
  // another CSR is ALREADY_EXISTS.
  ASSERT_EQ(Shell("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d +
                  "other.key -subj /CN=www.example.com -addext subjectAltName=DNS:www.example.com -out " + d +
                  "other.csr 2>/dev/null"), 0);
  auto retry = [&](const std::string& via, const std::string& id, const std::string& csr, const std::string& out) {
    return Shell(via + "issue --profile tls-server --csr " + d + csr + " --request-id " + id + " --out " + d + out +
                 " > " + d + "retry.out 2>&1");
  };
  ASSERT_EQ(retry(client, "e2e-issue-1", "leaf.csr", "leaf1-reload.pem"), 0) << testing::ReadText(d + "retry.out");
  EXPECT_EQ(testing::ReadText(d + "leaf1-reload.pem"), testing::ReadText(d + "leaf.pem"));
  EXPECT_NE(retry(client, "e2e-issue-1", "other.csr", "x.pem"), 0);
  EXPECT_THAT(testing::ReadText(d + "retry.out"), HasSubstr("ALREADY_EXISTS"));
  ASSERT_TRUE(h_->Kill9().ok());
  const std::string addr2 = StartSignerd();  // reads this run's "listening on" line, not the last one's
  ASSERT_FALSE(addr2.empty());
  const std::string client2 = Client(h_->pki().ci, addr2);
  ASSERT_EQ(retry(client2, "e2e-issue-1", "leaf.csr", "leaf1-restart.pem"), 0) << testing::ReadText(d + "retry.out");
  EXPECT_EQ(testing::ReadText(d + "leaf1-restart.pem"), testing::ReadText(d + "leaf.pem"));
  ASSERT_EQ(retry(client2, "e2e-issue-3", "leaf.csr", "leaf3-restart.pem"), 0) << testing::ReadText(d + "retry.out");
  EXPECT_EQ(testing::ReadText(d + "leaf3-restart.pem"), testing::ReadText(d + "leaf3.pem"));
  EXPECT_NE(retry(client2, "e2e-issue-3", "other.csr", "x.pem"), 0);
  EXPECT_THAT(testing::ReadText(d + "retry.out"), HasSubstr("ALREADY_EXISTS"));
  ASSERT_EQ(retry(client2, "e2e-issue-4", "other.csr", "leaf4.pem"), 0) << testing::ReadText(d + "retry.out");
  EXPECT_NE(testing::ReadText(d + "leaf4.pem"), testing::ReadText(d + "leaf.pem"));

  EXPECT_EQ(h_->Stop(), 0);
  EXPECT_TRUE(VerifyAuditLog(ListAuditFiles(h_->audit_path())).ok());
  EXPECT_EQ(h_->AuditVerify().exit_code, 0);

  // signerctl lists what was issued: three certificates, each findable by
  // its serial (as openssl prints it) with its PEM.
  ASSERT_EQ(Shell(h_->bin() + "/signerctl audit issued --log " + h_->audit_path() + " > " + d + "issued.out 2> " + d +
                  "issued.err"), 0) << testing::ReadText(d + "issued.err");
  EXPECT_THAT(testing::ReadText(d + "issued.err"), HasSubstr("3 of 3 issued certificates shown"));
  ASSERT_EQ(Shell("openssl x509 -in " + d + "leaf.pem -noout -serial | cut -d= -f2 > " + d + "serial.txt"), 0);
  std::string serial = testing::ReadText(d + "serial.txt");
  serial.erase(serial.find_last_not_of("\n") + 1);
  ASSERT_EQ(Shell(h_->bin() + "/signerctl audit issued --pem --log " + h_->audit_path() + " --serial " + serial +
                  " > " + d + "one.out 2>&1"), 0);
  const std::string one = testing::ReadText(d + "one.out");
  EXPECT_THAT(one, HasSubstr("1 of 3 issued certificates shown"));
  EXPECT_THAT(one, HasSubstr("request_id=e2e-issue-1 profile=tls-server key=issuing names=dns:www.example.com"));
  EXPECT_THAT(one, HasSubstr(testing::ReadText(d + "leaf.pem")));

  const std::string log = testing::ReadText(h_->audit_path());
  EXPECT_THAT(log, HasSubstr("IssueCertificate.intent"));
  EXPECT_THAT(log, HasSubstr("IssueCertificate.outcome"));
  EXPECT_THAT(log, HasSubstr("dns:www.example.com"));
}

}  // namespace
}  // namespace pki::signer
