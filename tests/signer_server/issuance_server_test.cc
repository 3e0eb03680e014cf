// IssueCertificate over real mutual TLS, with a software KeyPool whose
// issuing key is certified by a test root made here; every certificate is
// checked with `openssl verify -x509_strict`, every refusal by its code, and
// the audit log for intent/outcome records.
#include <grpcpp/grpcpp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_verify.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/issuance_journal.h"
#include "server/issuance_setup.h"
#include "server/server.h"
#include "signer/v1/signer.grpc.pb.h"
#include "software_key_pool.h"
#include "test_pki.h"

namespace pki::signer {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Credential;
using testing::SoftKeyType;
using testing::SoftwareKeyPool;
using testing::TestPki;

std::string Der(X509* c) {
  unsigned char* out = nullptr;
  const int n = i2d_X509(c, &out);
  PKI_CHECK(n > 0);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return der;
}

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  PKI_CHECK(ext != nullptr);
  PKI_CHECK(X509_add_ext(cert, ext.get(), -1) == 1);
}

// MakeCa returns a CA certificate for |pub| named |cn|, signed by
// |signer_key| under |issuer| (null: self-signed).
OsslPtr<X509> MakeCa(EVP_PKEY* pub, const char* cn, EVP_PKEY* signer_key, X509* issuer) {
  OsslPtr<X509> c(X509_new());
  X509_set_version(c.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), issuer == nullptr ? 1 : 2);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), 3600L * 24 * 365 * 2);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(c.get(), issuer == nullptr ? name : X509_get_subject_name(issuer));
  X509_set_pubkey(c.get(), pub);
  X509* iss = issuer == nullptr ? c.get() : issuer;
  AddExt(c.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
  AddExt(c.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  AddExt(c.get(), iss, NID_subject_key_identifier, "hash");
  AddExt(c.get(), iss, NID_authority_key_identifier, "keyid:always");
  PKI_CHECK(X509_sign(c.get(), signer_key, EVP_sha256()) > 0);
  return c;
}

std::string Pem(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  OsslPtr<X509> c(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  PKI_CHECK(c != nullptr);
  OsslPtr<BIO> b(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(b.get(), c.get());
  char* data = nullptr;
  const long n = BIO_get_mem_data(b.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string Sha256Hex(const std::string& data) {
  unsigned char h[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), h);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : h) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string Reason(const grpc::Status& s) {
  google::rpc::Status st;
  if (!st.ParseFromString(s.error_details())) return "";
  for (const auto& any : st.details()) {
    google::rpc::ErrorInfo info;
    if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// FailingAudit makes the audit log's fsync fail once |fail| is set.
class FailingAudit final : public AuditFaults {
 public:
  Status BeforeSync() override { return fail ? InternalError("injected") : OkStatus(); }
  std::atomic<bool> fail{false};
};

class IssuanceServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::MakeTempDir("signer_issuance_server_test"));
    pki_ = new TestPki(*dir_);
    ra_ = new Credential(pki_->Issue("ra-issue", "/O=Example/CN=ra-issue", "URI:spiffe://example.org/ra"));
    other_ = new Credential(pki_->Issue("web-only", "/O=Example/CN=web-only", "URI:spiffe://example.org/web"));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete ra_;
    delete other_;
    delete pki_;
    delete dir_;
  }

  void SetUp() override {
    audit_dir_ = testing::MakeTempDir("signer_issuance_audit");
    const std::string spki = pool_.AddKey("issuing", 1, KeyPurpose::kCertificateIssuance, SoftKeyType::kEcP256);
    // A root (software key) certifies the pool's issuing key.
    OsslPtr<EVP_PKEY> root_key(EVP_EC_gen("P-256"));
    OsslPtr<X509> root = MakeCa(root_key.get(), "Test Root", root_key.get(), nullptr);
    const unsigned char* p = reinterpret_cast<const unsigned char*>(spki.data());
    OsslPtr<EVP_PKEY> issuing_pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
    OsslPtr<X509> issuing = MakeCa(issuing_pub.get(), "Test Issuing CA", root_key.get(), root.get());
    root_der_ = Der(root.get());
    issuing_der_ = Der(issuing.get());
    testing::WriteText(audit_dir_ + "/root.pem", Pem(root_der_));
    testing::WriteText(audit_dir_ + "/issuing.pem", Pem(issuing_der_));
    pool_.SetChain("issuing", 1, {issuing_der_, root_der_});

    IssuerConfig ic;
    ic.key_name = "issuing";
    ic.signature_algorithm = SignAlgorithm::kEcdsaP256Sha256;
    ic.crl_urls = {"http://crl.example.com/issuing.crl"};
    ic.ca_issuers_urls = {"http://pki.example.com/issuing.der"};
    issuance_config_.issuers = {ic};
    issuance_config_.profiles = DefaultProfiles("issuing");

    std::vector<KeyConfig> keys = {KeyConfig{"issuing", KeyPurpose::kCertificateIssuance, 1, {}}};
    ClientPolicy ra{"ra", IdentityKind::kUriSan, "spiffe://example.org/ra", {{"issuing", false, true}}, 0, 0, {}, {}};
    ra.issue_profiles = {"tls-server", "tls-client", "code-signing", "spiffe-workload"};
    ra.allowlist.dns_suffixes = {"example.com"};
    ra.allowlist.email_domains = {"example.com"};
    ra.allowlist.spiffe_trust_domain = "example.org";
    ra.allowlist.spiffe_path_prefixes = {"/ns/payments"};
    ClientPolicy web{"web", IdentityKind::kUriSan, "spiffe://example.org/web", {}, 0, 0, {}, {}};
    web.issue_profiles = {"tls-server"};
    web.allowlist.dns_suffixes = {"example.com"};
    PolicyConfig pc;
    pc.clients = {ra, web};
    auto policy = Policy::Create(pc, keys, issuance_config_.profiles);
    ASSERT_TRUE(policy.ok()) << policy.status().message();

    audit_ = std::move(AuditLog::Open({audit_dir_ + "/audit.log", 1 << 20, &faults_})).value();
    journal_ = std::make_unique<AuditIssuanceJournal>(*audit_);
    auto bundle = BuildIssuance(issuance_config_, pool_, *journal_, std::chrono::milliseconds(5000));
    ASSERT_TRUE(bundle.ok()) << bundle.status().message();
    ASSERT_NE(*bundle, nullptr);
    // The wire chain stops before the root.
    ServerConfig sc;
    sc.listen = "127.0.0.1:0";
    sc.cert_file = pki_->server.cert_file;
    sc.key_file = pki_->server.key_file;
    sc.client_cas = {{pki_->ca_file, ""}};
    auto server = SignerServer::Start(sc, pool_, *audit_, std::shared_ptr<const Policy>(std::move(policy).value()),
                                      *bundle);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
  }

  void TearDown() override {
    server_.reset();
    journal_.reset();
    audit_.reset();
    std::filesystem::remove_all(audit_dir_);
  }

  std::unique_ptr<v1::Signer::Stub> Stub(const Credential& cred) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = pki_->ca_pem;
    o.pem_cert_chain = cred.cert_pem;
    o.pem_private_key = cred.key_pem;
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return v1::Signer::NewStub(grpc::CreateCustomChannel(server_->address(), grpc::SslCredentials(o), args));
  }

  // Csr makes a DER CSR with openssl req: |key| "ec" (P-256) or "rsa:2048",
  // subject |subj| ("" for none), SAN |san|.
  std::string Csr(const std::string& key, const std::string& subj, const std::string& san) {
    const std::string out = audit_dir_ + "/csr" + std::to_string(++csr_count_) + ".der";
    const std::string newkey = key == "ec" ? "-newkey ec -pkeyopt ec_paramgen_curve:P-256" : "-newkey " + key;
    const std::string cmd = "openssl req -new " + newkey + " -nodes -keyout " + out + ".key -subj '" +
                            (subj.empty() ? "/" : subj) + "' -addext 'subjectAltName=" + san +
                            "' -outform DER -out " + out + " 2>/dev/null";
    PKI_CHECK(std::system(cmd.c_str()) == 0);
    return testing::ReadText(out);
  }

  grpc::Status Issue(const Credential& cred, const std::string& profile, const std::string& id,
                     const std::string& csr, v1::IssueCertificateResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::IssueCertificateRequest req;
    req.set_profile(profile);
    req.set_request_id(id);
    req.set_requester_ref("order-" + id);
    req.set_csr_der(csr);
    return Stub(cred)->IssueCertificate(&ctx, req, resp);
  }

  // OpensslVerify runs `openssl verify -x509_strict` on |resp|'s certificate
  // with the root as trust anchor and the wire chain as untrusted.
  bool OpensslVerify(const v1::IssueCertificateResponse& resp) {
    const std::string leaf = audit_dir_ + "/leaf.pem";
    const std::string chain = audit_dir_ + "/chain.pem";
    testing::WriteText(leaf, Pem(resp.certificate_der()));
    std::string chain_pem;
    for (const std::string& c : resp.chain_der()) chain_pem += Pem(c);
    testing::WriteText(chain, chain_pem);
    const std::string cmd = "openssl verify -x509_strict -CAfile " + audit_dir_ + "/root.pem -untrusted " +
                            chain + " " + leaf + " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }

  static std::string* dir_;
  static TestPki* pki_;
  static Credential* ra_;
  static Credential* other_;
  std::string audit_dir_;
  SoftwareKeyPool pool_;
  std::string root_der_;
  std::string issuing_der_;
  IssuanceConfig issuance_config_;
  FailingAudit faults_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<AuditIssuanceJournal> journal_;
  std::unique_ptr<SignerServer> server_;
  int csr_count_ = 0;
};

std::string* IssuanceServerTest::dir_ = nullptr;
TestPki* IssuanceServerTest::pki_ = nullptr;
Credential* IssuanceServerTest::ra_ = nullptr;
Credential* IssuanceServerTest::other_ = nullptr;

TEST_F(IssuanceServerTest, OneCertificatePerProfileVerifiesWithOpenssl) {
  struct Case {
    const char* profile;
    std::string key, subj, san;
  };
  const std::vector<Case> cases = {
      {"tls-server", "ec", "/CN=www.example.com", "DNS:www.example.com,DNS:api.example.com"},
      {"tls-client", "rsa:2048", "", "email:alice@example.com"},
      {"code-signing", "ec", "/CN=dev@example.com", "email:dev@example.com"},
      {"spiffe-workload", "ec", "", "URI:spiffe://example.org/ns/payments/sa/api"},
  };
  std::vector<std::string> cert_hashes;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile);
    v1::IssueCertificateResponse resp;
    grpc::Status s = Issue(*ra_, c.profile, std::string("id-") + c.profile, Csr(c.key, c.subj, c.san), &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(OpensslVerify(resp));
    ASSERT_EQ(resp.chain_der_size(), 1);  // issuer only: the root is not sent
    EXPECT_EQ(resp.chain_der(0), issuing_der_);
    EXPECT_EQ(resp.serial().size(), 20u);
    EXPECT_EQ(resp.profile_hash().size(), 32u);
    EXPECT_FALSE(resp.audit_id().empty());
    cert_hashes.push_back(Sha256Hex(resp.certificate_der()));
  }
  // Every issuance is audited: intent and outcome, with the certificate's hash.
  const std::string log = testing::ReadText(audit_dir_ + "/audit.log");
  for (const std::string& h : cert_hashes) EXPECT_THAT(log, HasSubstr("cert_sha256=" + h));
  EXPECT_THAT(log, HasSubstr("IssueCertificate.intent"));
  EXPECT_THAT(log, HasSubstr("IssueCertificate.outcome"));
  EXPECT_THAT(log, HasSubstr("dns:www.example.com"));
  EXPECT_TRUE(VerifyAuditLog({audit_dir_ + "/audit.log"}).ok());
}

// An intent that cannot be journaled stops the issuance before the HSM.
TEST_F(IssuanceServerTest, NoJournalNoSignature) {
  faults_.fail = true;
  v1::IssueCertificateResponse resp;
  grpc::Status s = Issue(*ra_, "tls-server", "j1", Csr("ec", "", "DNS:j.example.com"), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_EQ(Reason(s), "AUDIT_UNAVAILABLE");
  EXPECT_TRUE(resp.certificate_der().empty());
  EXPECT_EQ(pool_.sign_calls(), 0);
}

// A reload without issuers turns IssueCertificate off for new requests.
TEST_F(IssuanceServerTest, ReloadWithoutIssuersDisablesIssuance) {
  v1::IssueCertificateResponse resp;
  const std::string csr = Csr("ec", "", "DNS:r.example.com");
  ASSERT_TRUE(Issue(*ra_, "tls-server", "r1", csr, &resp).ok());
  server_->ReloadIssuance(nullptr);
  grpc::Status s = Issue(*ra_, "tls-server", "r2", csr, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_EQ(Reason(s), "ISSUANCE_DISABLED");
}

TEST_F(IssuanceServerTest, PolicyViolationsAreRefusedWithTheirCodes) {
  v1::IssueCertificateResponse resp;
  const std::string csr = Csr("ec", "", "DNS:www.example.com");
  // A profile this client may not use.
  grpc::Status s = Issue(*other_, "code-signing", "x1", Csr("ec", "", "email:a@example.com"), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(Reason(s), "PROFILE_NOT_PERMITTED");
  // An unknown profile.
  s = Issue(*ra_, "no-such-profile", "x2", csr, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  // A name outside the allowlist: INVALID_ARGUMENT naming it.
  s = Issue(*ra_, "tls-server", "x3", Csr("ec", "", "DNS:www.evil.org"), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("www.evil.org"));
  EXPECT_EQ(Reason(s), "NAME_NOT_ALLOWED");
  s = Issue(*ra_, "spiffe-workload", "x4", Csr("ec", "", "URI:spiffe://example.org/ns/paymentsx"), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("/ns/paymentsx"));
  // A name type the profile refuses.
  s = Issue(*ra_, "spiffe-workload", "x5", csr, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  // Garbage instead of a CSR.
  s = Issue(*ra_, "tls-server", "x6", "not a csr", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(pool_.sign_calls(), 0);  // nothing refused ever reached the key
  // Refusals are audited too.
  const std::string log = testing::ReadText(audit_dir_ + "/audit.log");
  EXPECT_THAT(log, HasSubstr("\"PERMISSION_DENIED\""));
  EXPECT_THAT(log, HasSubstr("\"NOT_FOUND\""));
  EXPECT_THAT(log, HasSubstr("\"INVALID_ARGUMENT\""));
}

TEST_F(IssuanceServerTest, IdempotencyBothWays) {
  const std::string csr = Csr("ec", "", "DNS:a.example.com");
  v1::IssueCertificateResponse first, again, other;
  ASSERT_TRUE(Issue(*ra_, "tls-server", "same-id", csr, &first).ok());
  const int calls = pool_.sign_calls();
  // Same id, same CSR: the same certificate, no new HSM signature.
  ASSERT_TRUE(Issue(*ra_, "tls-server", "same-id", csr, &again).ok());
  EXPECT_EQ(again.certificate_der(), first.certificate_der());
  EXPECT_EQ(pool_.sign_calls(), calls);
  // Same id, another CSR: ALREADY_EXISTS.
  grpc::Status s = Issue(*ra_, "tls-server", "same-id", Csr("ec", "", "DNS:b.example.com"), &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << s.error_message();
  // A different id issues a new certificate.
  ASSERT_TRUE(Issue(*ra_, "tls-server", "other-id", csr, &other).ok());
  EXPECT_NE(other.certificate_der(), first.certificate_der());
}

// A new certificate costs two durable records (intent, outcome); the
// outcome record is the request's record: its id is the audit id returned,
// and it carries what the audit and a retry need.
TEST_F(IssuanceServerTest, TwoRecordsPerCertificateAndTheOutcomeIsTheRequestRecord) {
  const uint64_t before = audit_->LastSeq();
  const uint64_t syncs_before = audit_->SyncCount();
  v1::IssueCertificateResponse resp, again;
  const std::string csr = Csr("ec", "", "DNS:two.example.com");
  ASSERT_TRUE(Issue(*ra_, "tls-server", "two-records", csr, &resp).ok());
  EXPECT_EQ(audit_->LastSeq(), before + 2);
  EXPECT_LE(audit_->SyncCount(), syncs_before + 2);
  EXPECT_EQ(resp.audit_id(), AuditId(audit_->Generation(), audit_->LastSeq()));
  std::istringstream lines(testing::ReadText(audit_dir_ + "/audit.log"));
  std::string line, intent, outcome;
  while (std::getline(lines, line)) {
    if (line.find("\"request_id\":\"two-records\"") == std::string::npos) continue;
    EXPECT_THAT(line, Not(HasSubstr("\"method\":\"IssueCertificate\",")));  // no third record
    if (line.find("IssueCertificate.intent") != std::string::npos) intent = line;
    if (line.find("IssueCertificate.outcome") != std::string::npos) outcome = line;
  }
  ASSERT_FALSE(intent.empty());
  ASSERT_FALSE(outcome.empty());
  const std::string cert_sha = Sha256Hex(resp.certificate_der());
  std::string serial_hex;
  for (unsigned char c : resp.serial()) {
    static constexpr char kHex[] = "0123456789abcdef";
    serial_hex += kHex[c >> 4];
    serial_hex += kHex[c & 15];
  }
  for (const std::string& want :
       {std::string("\"client\":\"ra\""), std::string("\"outcome\":\"OK\""), "cert_sha256=" + cert_sha,
        "serial=" + serial_hex, std::string("profile=tls-server"), std::string("names=dns:two.example.com"),
        std::string("csr_sha256="), std::string("ref=order-two-records"), std::string("\"certificate\":\"")}) {
    EXPECT_THAT(outcome, HasSubstr(want));
  }
  EXPECT_THAT(outcome, Not(HasSubstr("\"latency_us\":0,")));
  EXPECT_THAT(intent, HasSubstr("\"outcome\":\"INTENT\""));
  // A replay and a refused retry write one record each (no intent).
  const uint64_t mid = audit_->LastSeq();
  ASSERT_TRUE(Issue(*ra_, "tls-server", "two-records", csr, &again).ok());
  EXPECT_EQ(again.certificate_der(), resp.certificate_der());
  EXPECT_EQ(audit_->LastSeq(), mid + 1);
  EXPECT_THAT(testing::ReadText(audit_dir_ + "/audit.log"), HasSubstr(" replayed\""));
  EXPECT_EQ(Issue(*ra_, "tls-server", "two-records", Csr("ec", "", "DNS:two.example.com"), &again).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(audit_->LastSeq(), mid + 2);
  EXPECT_TRUE(VerifyAuditLog({audit_dir_ + "/audit.log"}).ok());
}

// Idempotency survives a restart (the index is rebuilt from the audit log's
// outcome records) and a reload (the index is kept), bounded by
// idempotency_capacity.
TEST_F(IssuanceServerTest, IdempotencySurvivesRestartAndReload) {
  const std::string csr1 = Csr("ec", "", "DNS:r1.example.com");
  const std::string csr2 = Csr("ec", "", "DNS:r2.example.com");
  const std::string csr3 = Csr("ec", "", "DNS:r3.example.com");
  v1::IssueCertificateResponse first, second, third, again;
  ASSERT_TRUE(Issue(*ra_, "tls-server", "restart-1", csr1, &first).ok());
  ASSERT_TRUE(Issue(*ra_, "tls-client", "restart-2", Csr("ec", "", "email:bob@example.com"), &second).ok());
  ASSERT_TRUE(Issue(*ra_, "tls-server", "restart-3", csr3, &third).ok());

  // Reload: a new engine over the same journal keeps the index.
  auto reloaded = BuildIssuance(issuance_config_, pool_, *journal_, std::chrono::milliseconds(5000));
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().message();
  EXPECT_EQ((*reloaded)->remembered, 0u);  // nothing to read back: kept in memory
  server_->ReloadIssuance(*reloaded);
  const int calls = pool_.sign_calls();
  ASSERT_TRUE(Issue(*ra_, "tls-server", "restart-1", csr1, &again).ok());
  EXPECT_EQ(again.certificate_der(), first.certificate_der());
  EXPECT_EQ(pool_.sign_calls(), calls);
  EXPECT_EQ(Issue(*ra_, "tls-server", "restart-1", csr2, &again).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // Restart: the server, journal and log are closed and opened again.
  server_.reset();
  journal_.reset();
  audit_.reset();
  audit_ = std::move(AuditLog::Open({audit_dir_ + "/audit.log", 1 << 20, &faults_})).value();
  journal_ = std::make_unique<AuditIssuanceJournal>(*audit_);
  auto fresh = BuildIssuance(issuance_config_, pool_, *journal_, std::chrono::milliseconds(5000));
  ASSERT_TRUE(fresh.ok()) << fresh.status().message();
  EXPECT_EQ((*fresh)->remembered, 3u);
  IssuanceRequest r{"ra", "restart-1", "order", "tls-server", csr1};
  NameAllowlist allow;
  allow.dns_suffixes = {"example.com"};
  allow.email_domains = {"example.com"};
  StatusOr<IssuedCertificate> replay = (*fresh)->engine->Issue(r, allow);
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->certificate_der, first.certificate_der());
  ASSERT_EQ(replay->chain_der.size(), 1u);
  EXPECT_EQ(replay->chain_der[0], issuing_der_);
  EXPECT_EQ(pool_.sign_calls(), calls);
  std::string serial_hex;
  for (unsigned char c : first.serial()) {
    static constexpr char kHex[] = "0123456789abcdef";
    serial_hex += kHex[c >> 4];
    serial_hex += kHex[c & 15];
  }
  EXPECT_EQ(replay->serial_hex, serial_hex);
  r.csr_der = csr2;  // same id, another CSR
  EXPECT_EQ((*fresh)->engine->Issue(r, allow).status().code(), StatusCode::kAlreadyExists);
  r.csr_der = csr1;
  r.profile = "tls-client";  // same id, another profile
  EXPECT_EQ((*fresh)->engine->Issue(r, allow).status().code(), StatusCode::kAlreadyExists);
  IssuanceRequest r2{"web", "restart-1", "order", "tls-server", csr1};  // another client: its own ids
  StatusOr<IssuedCertificate> other_client = (*fresh)->engine->Issue(r2, allow);
  ASSERT_TRUE(other_client.ok()) << other_client.status().message();
  EXPECT_FALSE(other_client->replayed);

  // Bounded: with capacity 2, only the two most recent are read back.
  journal_.reset();
  journal_ = std::make_unique<AuditIssuanceJournal>(*audit_);
  issuance_config_.idempotency_capacity = 2;
  auto small = BuildIssuance(issuance_config_, pool_, *journal_, std::chrono::milliseconds(5000));
  ASSERT_TRUE(small.ok()) << small.status().message();
  EXPECT_EQ((*small)->remembered, 2u);
  r = IssuanceRequest{"ra", "restart-3", "order", "tls-server", csr3};
  replay = (*small)->engine->Issue(r, allow);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->certificate_der, third.certificate_der());
  r = IssuanceRequest{"ra", "restart-1", "order", "tls-server", csr2};  // forgotten: issued anew
  replay = (*small)->engine->Issue(r, allow);
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_FALSE(replay->replayed);
  small->reset();
  fresh->reset();
  reloaded->reset();
  EXPECT_TRUE(VerifyAuditLog({audit_dir_ + "/audit.log"}).ok());
}

TEST_F(IssuanceServerTest, ListKeysReturnsTheCallersProfiles) {
  auto names = [&](const Credential& cred) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ListKeysResponse resp;
    EXPECT_TRUE(Stub(cred)->ListKeys(&ctx, v1::ListKeysRequest(), &resp).ok());
    std::vector<std::string> out;
    for (const auto& p : resp.profiles()) {
      out.push_back(p.name());
      EXPECT_EQ(p.issuing_key(), "issuing");
      EXPECT_EQ(p.profile_hash().size(), 32u);
    }
    return out;
  };
  EXPECT_EQ(names(*other_), std::vector<std::string>{"tls-server"});
  EXPECT_EQ(names(*ra_).size(), 4u);
}

}  // namespace
}  // namespace pki::signer
