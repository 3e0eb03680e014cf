// Integration: the issuance engine with its intermediate's key in a real
// SoftHSMv2 token, signing through the PKCS#11 pool. Every issued leaf is
// checked with `openssl verify -x509_strict`; refusals, caps, idempotency,
// journal failures and tampering signers are exercised.
#include <gtest/gtest.h>

#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <chrono>
#include <ctime>

#include "common/file.h"
#include "common/pem.h"
#include "signer/issuance.h"
#include "signer/pkcs11_pool.h"
#include "softhsm_env.h"
#include "test_ca.h"

namespace pki::testing {
namespace {

using signer::IssuanceEngine;
using signer::IssuanceRequest;
using signer::IssuedCertificate;
using signer::NameAllowlist;
using signer::SignAlgorithm;
using signer::TbsSigner;

constexpr std::chrono::milliseconds kDeadline{5000};

// Counts signatures, and optionally signs a corrupted TBS (a signer that
// tampers: the signature then belongs to other bytes).
class CountingSigner final : public TbsSigner {
 public:
  explicit CountingSigner(std::unique_ptr<TbsSigner> inner) : inner_(std::move(inner)) {}
  StatusOr<std::string> SignTbs(SignAlgorithm alg, ByteSpan tbs) override {
    ++calls;
    if (!tamper) return inner_->SignTbs(alg, tbs);
    std::string other(AsChars(tbs));
    other[other.size() / 2] = static_cast<char>(other[other.size() / 2] ^ 0x01);
    return inner_->SignTbs(alg, AsBytes(other));
  }
  std::atomic<int> calls{0};
  std::atomic<bool> tamper{false};

 private:
  std::unique_ptr<TbsSigner> inner_;
};

NameAllowlist Allow() {
  NameAllowlist a;
  a.dns_suffixes = {"example.com"};
  a.ip_cidrs = {"10.1.0.0/16"};
  a.spiffe_trust_domain = "prod.example.org";
  a.spiffe_path_prefixes = {"/ns/payments"};
  a.email_domains = {"example.com"};
  return a;
}

OsslPtr<X509> Parse(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  return OsslPtr<X509>(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

int64_t Unix(const ASN1_TIME* t) {
  struct tm tm {};
  ASN1_TIME_to_tm(t, &tm);
  return static_cast<int64_t>(timegm(&tm));
}

class IssuanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.InitToken("issuer").ok());
    ASSERT_TRUE(env_.GenerateKey("issuer", "int-ec", "ec-p256").ok());
    signer::PoolConfig config = env_.Config(kSoftHsmModule, {"issuer"});
    signer::KeyConfig key;
    key.name = "int-ec";
    key.purpose = signer::KeyPurpose::kCertificateIssuance;
    signer::KeyVersionConfig v;
    v.replica_uris = {"pkcs11:token=issuer;object=int-ec;type=private"};
    key.versions.push_back(v);
    config.keys.push_back(key);
    StatusOr<std::unique_ptr<signer::KeyPool>> pool = signer::CreatePkcs11Pool(config);
    ASSERT_TRUE(pool.ok()) << pool.status().message();
    pool_ = std::move(pool).value();
    StatusOr<signer::KeyVersionInfo> info = pool_->Describe("int-ec", 0);
    ASSERT_TRUE(info.ok());
    spki_ = info->spki_der;
    root_ = MakeRoot();
    StatusOr<std::string> root_der = CertificateToDer(*root_.cert);
    ASSERT_TRUE(root_der.ok());
    root_der_ = *root_der;
    int_der_ = IssueCaCert(root_, spki_, "PKI Test Issuing CA", 400);
    ASSERT_TRUE(WriteFileAtomic(env_.dir() + "/root.pem", AsBytes(CertPem(root_der_)), 0600).ok());
    ASSERT_TRUE(WriteFileAtomic(env_.dir() + "/int.pem", AsBytes(CertPem(int_der_)), 0600).ok());
  }

  std::unique_ptr<IssuanceEngine> Engine(std::string int_der, signer::IssuanceOptions options = {},
                                         std::vector<signer::Profile> profiles = {}) {
    signer::IssuerConfig ic;
    ic.key_name = "int-ec";
    ic.signature_algorithm = SignAlgorithm::kEcdsaP256Sha256;
    ic.certificate_der = std::move(int_der);
    ic.chain_der = {};  // the wire's chain stops before the root
    ic.crl_urls = {"http://crl.example.com/int.crl"};
    ic.ca_issuers_urls = {"http://pki.example.com/int.cer"};
    ic.ocsp_urls = {"http://ocsp.example.com"};
    ic.backdate = std::chrono::seconds(120);
    auto counting = std::make_shared<CountingSigner>(
        signer::NewKeyPoolTbsSigner(*pool_, "int-ec", 0, kDeadline));
    signer_ = counting;
    if (profiles.empty()) profiles = signer::DefaultProfiles("int-ec");
    StatusOr<std::unique_ptr<IssuanceEngine>> engine = IssuanceEngine::Create(
        std::move(profiles), {IssuanceEngine::Issuer{ic, counting}}, journal_, std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().message();
    return engine.ok() ? std::move(engine).value() : nullptr;
  }

  IssuanceRequest Request(const std::string& profile, const std::string& csr,
                          const std::string& id = "req-1") {
    IssuanceRequest r;
    r.client_id = "ra-1";
    r.request_id = id;
    r.requester_ref = "https://acme.example.com/order/1";
    r.profile = profile;
    r.csr_der = csr;
    return r;
  }

  // OpensslVerify runs `openssl verify -x509_strict` on |leaf_der|.
  std::string OpensslVerify(const std::string& leaf_der, int* rc, const std::string& purpose = "") {
    const std::string path = env_.dir() + "/leaf.pem";
    EXPECT_TRUE(WriteFileAtomic(path, AsBytes(CertPem(leaf_der)), 0600).ok());
    std::vector<std::string> argv = {"openssl", "verify", "-x509_strict", "-CAfile", env_.dir() + "/root.pem",
                                     "-untrusted", env_.dir() + "/int.pem"};
    if (!purpose.empty()) {
      argv.push_back("-purpose");
      argv.push_back(purpose);
    }
    argv.push_back(path);
    std::string out;
    *rc = RunCommand(argv, &out);
    return out;
  }

  SoftHsmEnv env_;
  std::unique_ptr<signer::KeyPool> pool_;
  std::string spki_;
  TestRoot root_;
  std::string root_der_;
  std::string int_der_;
  RecordingJournal journal_;
  std::shared_ptr<CountingSigner> signer_;
};

TEST_F(IssuanceTest, EveryProfileIssuesACertificateOpensslVerifies) {
  std::unique_ptr<IssuanceEngine> engine = Engine(int_der_);
  ASSERT_NE(engine, nullptr);
  struct Case {
    const char* profile;
    const char* key;
    const char* cn;
    const char* san;
    const char* purpose;
    int nid_eku;
  };
  const Case cases[] = {
      {"tls-server", "ec-p256", "www.example.com", "DNS:www.example.com,DNS:*.api.example.com,IP:10.1.2.3",
       "sslserver", NID_server_auth},
      {"tls-server", "rsa-2048", "", "DNS:rsa.example.com", "sslserver", NID_server_auth},
      {"tls-client", "ec-p384", "build@example.com", "email:build@example.com,DNS:ci.example.com",
       "sslclient", NID_client_auth},
      {"code-signing", "ed25519", "", "email:release@example.com", "", NID_code_sign},
      {"spiffe-workload", "ec-p256", "", "URI:spiffe://prod.example.org/ns/payments/sa/api", "sslclient",
       NID_client_auth},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.profile) + "/" + c.key);
    OsslPtr<EVP_PKEY> key = NewKey(c.key);
    StatusOr<IssuedCertificate> issued =
        engine->Issue(Request(c.profile, MakeCsr(*key, c.cn, c.san), "req-" + std::to_string(n++)), Allow());
    ASSERT_TRUE(issued.ok()) << issued.status().message();
    int rc = -1;
    std::string out = OpensslVerify(issued->certificate_der, &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find(": OK"), std::string::npos) << out;
    if (c.purpose[0] != '\0') {  // OpenSSL 3.0's verify has no code-signing purpose
      out = OpensslVerify(issued->certificate_der, &rc, c.purpose);
      EXPECT_EQ(rc, 0) << out;
    }

    OsslPtr<X509> leaf = Parse(issued->certificate_der);
    ASSERT_NE(leaf, nullptr);
    // Serial: 20 bytes from the CSPRNG, top bit clear, as reported.
    OsslPtr<BIGNUM> sn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf.get()), nullptr));
    EXPECT_LE(BN_num_bytes(sn.get()), 20);
    EXPECT_EQ(issued->serial_hex.size(), 40u);
    EXPECT_LT(issued->serial_hex[0], '8');
    OsslPtr<BIGNUM> reported;
    BIGNUM* raw = nullptr;
    BN_hex2bn(&raw, issued->serial_hex.c_str());
    reported.reset(raw);
    EXPECT_EQ(BN_cmp(sn.get(), reported.get()), 0);
    // Extensions the signer decides.
    const uint32_t flags = X509_get_extension_flags(leaf.get());
    EXPECT_EQ(flags & EXFLAG_CA, 0u);
    EXPECT_NE(X509_get_extended_key_usage(leaf.get()) & static_cast<uint32_t>(
                  c.nid_eku == NID_server_auth ? XKU_SSL_SERVER
                  : c.nid_eku == NID_client_auth ? XKU_SSL_CLIENT : XKU_CODE_SIGN), 0u);
    EXPECT_NE(X509_get0_subject_key_id(leaf.get()), nullptr);
    EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(leaf.get()),
                                    X509_get0_subject_key_id(Parse(int_der_).get())), 0);
    EXPECT_GE(X509_get_ext_by_NID(leaf.get(), NID_crl_distribution_points, -1), 0);
    EXPECT_GE(X509_get_ext_by_NID(leaf.get(), NID_info_access, -1), 0);
    // Names from the CSR only: the CSR's O= is not copied.
    X509_NAME* subject = X509_get_subject_name(leaf.get());
    EXPECT_EQ(X509_NAME_entry_count(subject), c.cn[0] != '\0' ? 1 : 0);
    const int san_idx = X509_get_ext_by_NID(leaf.get(), NID_subject_alt_name, -1);
    ASSERT_GE(san_idx, 0);
    EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(leaf.get(), san_idx)), c.cn[0] != '\0' ? 0 : 1);
    // Validity: backdated 120 s, profile cap.
    const int64_t span = Unix(X509_get0_notAfter(leaf.get())) - Unix(X509_get0_notBefore(leaf.get()));
    StatusOr<std::string> hash = engine->ProfileHash(c.profile);
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(issued->profile_hash_hex, *hash);
    for (const signer::Profile& p : signer::DefaultProfiles("int-ec")) {
      if (p.name == c.profile) {
        EXPECT_EQ(span, p.max_validity.count() + 120);
      }
    }
    ASSERT_EQ(issued->chain_der.size(), 1u);
    EXPECT_EQ(issued->chain_der[0], int_der_);
  }
  // Journal: one intent and one OK outcome per certificate, matching serials.
  ASSERT_EQ(journal_.intents().size(), std::size(cases));
  ASSERT_EQ(journal_.outcomes().size(), std::size(cases));
  for (const auto& o : journal_.outcomes()) {
    EXPECT_EQ(o.code, StatusCode::kOk);
    EXPECT_EQ(o.cert_sha256.size(), 64u);
    EXPECT_EQ(o.intent.tbs_sha256_hex.size(), 64u);
  }
  EXPECT_EQ(signer_->calls.load(), static_cast<int>(std::size(cases)));
}

TEST_F(IssuanceTest, PolicyViolationsAreRefusedBeforeTheHsm) {
  std::unique_ptr<IssuanceEngine> engine = Engine(int_der_);
  ASSERT_NE(engine, nullptr);
  OsslPtr<EVP_PKEY> p256 = NewKey("ec-p256");
  struct Case {
    const char* what;
    std::string profile;
    std::string csr;
    StatusCode code;
    const char* message;
  };
  OsslPtr<EVP_PKEY> rsa1024 = NewKey("rsa-1024");
  OsslPtr<EVP_PKEY> rsa_e3 = NewKey("rsa-2048-e3");
  OsslPtr<EVP_PKEY> ed = NewKey("ed25519");
  const std::vector<Case> cases = {
      {"DNS outside allowlist", "tls-server", MakeCsr(*p256, "", "DNS:www.evil.net"),
       StatusCode::kPermissionDenied, "www.evil.net"},
      {"IP outside allowlist", "tls-server", MakeCsr(*p256, "", "IP:10.2.0.1"),
       StatusCode::kPermissionDenied, "10.2.0.1"},
      {"SPIFFE other path", "spiffe-workload", MakeCsr(*p256, "", "URI:spiffe://prod.example.org/ns/admin"),
       StatusCode::kPermissionDenied, "/ns/admin"},
      {"email other domain", "tls-client", MakeCsr(*p256, "", "email:a@evil.net"),
       StatusCode::kPermissionDenied, "evil.net"},
      {"wildcard where refused", "tls-client", MakeCsr(*p256, "", "DNS:*.example.com"),
       StatusCode::kInvalidArgument, "wildcard"},
      {"RSA 1024", "tls-server", MakeCsr(*rsa1024, "", "DNS:a.example.com"),
       StatusCode::kInvalidArgument, "RSA key size"},
      {"RSA e=3", "tls-server", MakeCsr(*rsa_e3, "", "DNS:a.example.com"),
       StatusCode::kInvalidArgument, "65537"},
      {"Ed25519 for TLS", "tls-server", MakeCsr(*ed, "", "DNS:a.example.com"),
       StatusCode::kInvalidArgument, "Ed25519"},
      {"bad CSR signature", "tls-server", MakeCsr(*p256, "", "DNS:a.example.com", true),
       StatusCode::kInvalidArgument, "proof of possession"},
      {"CN not a SAN", "tls-server", MakeCsr(*p256, "b.example.com", "DNS:a.example.com"),
       StatusCode::kInvalidArgument, "CN"},
      {"CN where refused", "spiffe-workload",
       MakeCsr(*p256, "x", "URI:spiffe://prod.example.org/ns/payments/x"), StatusCode::kInvalidArgument, "CN"},
      {"no names", "tls-server", MakeCsr(*p256, "", ""), StatusCode::kInvalidArgument, "subjectAltName"},
      {"name type refused", "code-signing", MakeCsr(*p256, "", "DNS:a.example.com"),
       StatusCode::kInvalidArgument, "DNS"},
      {"garbage CSR", "tls-server", "not a csr", StatusCode::kInvalidArgument, "does not parse"},
      {"unknown profile", "ca", MakeCsr(*p256, "", "DNS:a.example.com"), StatusCode::kNotFound, "profile"},
  };
  int n = 0;
  for (const Case& c : cases) {
    StatusOr<IssuedCertificate> r = engine->Issue(Request(c.profile, c.csr, "bad-" + std::to_string(n++)), Allow());
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), c.code) << c.what << ": " << r.status().message();
    EXPECT_NE(r.status().message().find(c.message), std::string_view::npos)
        << c.what << ": " << r.status().message();
  }
  // Nothing reached the journal or the HSM, and no request id was claimed.
  EXPECT_TRUE(journal_.intents().empty());
  EXPECT_EQ(signer_->calls.load(), 0);
  StatusOr<IssuedCertificate> ok = engine->Issue(
      Request("tls-server", MakeCsr(*p256, "", "DNS:a.example.com"), "bad-0"), Allow());
  EXPECT_TRUE(ok.ok()) << ok.status().message();
  // A bad request id.
  IssuanceRequest r = Request("tls-server", MakeCsr(*p256, "", "DNS:a.example.com"), "has space");
  EXPECT_EQ(engine->Issue(r, Allow()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(IssuanceTest, ValidityIsCappedByTheIssuer) {
  // An intermediate that expires in 2 days caps a 90-day tls-server leaf.
  const std::string short_int = IssueCaCert(root_, spki_, "Short Issuing CA", 2);
  ASSERT_TRUE(WriteFileAtomic(env_.dir() + "/int.pem", AsBytes(CertPem(short_int)), 0600).ok());
  std::unique_ptr<IssuanceEngine> engine = Engine(short_int);
  ASSERT_NE(engine, nullptr);
  OsslPtr<EVP_PKEY> key = NewKey("ec-p256");
  StatusOr<IssuedCertificate> issued =
      engine->Issue(Request("tls-server", MakeCsr(*key, "", "DNS:a.example.com")), Allow());
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  OsslPtr<X509> leaf = Parse(issued->certificate_der);
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(leaf.get()), X509_get0_notAfter(Parse(short_int).get())), 0);
  int rc = -1;
  std::string out = OpensslVerify(issued->certificate_der, &rc);
  EXPECT_EQ(rc, 0) << out;

  // A profile's own cap.
  signer::Profile hourly = signer::TlsServerProfile("int-ec");
  hourly.name = "tls-hourly";
  hourly.max_validity = std::chrono::hours(1);
  std::unique_ptr<IssuanceEngine> e2 = Engine(int_der_, {}, {hourly});
  ASSERT_NE(e2, nullptr);
  issued = e2->Issue(Request("tls-hourly", MakeCsr(*key, "", "DNS:a.example.com")), Allow());
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  EXPECT_EQ(issued->not_after_unix - issued->not_before_unix, 3600 + 120);

  // An expired issuer issues nothing.
  signer::IssuanceOptions later;
  later.now_unix = [] { return static_cast<int64_t>(std::time(nullptr)) + 3 * 86400; };
  std::unique_ptr<IssuanceEngine> e3 = Engine(short_int, later);
  ASSERT_NE(e3, nullptr);
  StatusOr<IssuedCertificate> expired =
      e3->Issue(Request("tls-server", MakeCsr(*key, "", "DNS:a.example.com")), Allow());
  EXPECT_EQ(expired.status().code(), StatusCode::kFailedPrecondition) << expired.status().message();
}

TEST_F(IssuanceTest, IdempotencyBothWays) {
  std::unique_ptr<IssuanceEngine> engine = Engine(int_der_);
  ASSERT_NE(engine, nullptr);
  OsslPtr<EVP_PKEY> key = NewKey("ec-p256");
  const std::string csr = MakeCsr(*key, "", "DNS:a.example.com");
  StatusOr<IssuedCertificate> first = engine->Issue(Request("tls-server", csr, "order-7"), Allow());
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_FALSE(first->replayed);
  StatusOr<IssuedCertificate> again = engine->Issue(Request("tls-server", csr, "order-7"), Allow());
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->certificate_der, first->certificate_der);
  EXPECT_EQ(again->serial_hex, first->serial_hex);
  EXPECT_EQ(signer_->calls.load(), 1);  // the HSM signed once

  const std::string other = MakeCsr(*key, "", "DNS:b.example.com");
  StatusOr<IssuedCertificate> conflict = engine->Issue(Request("tls-server", other, "order-7"), Allow());
  EXPECT_EQ(conflict.status().code(), StatusCode::kAlreadyExists);
  // Same id and CSR under another profile is a different request too.
  conflict = engine->Issue(Request("tls-client", csr, "order-7"), Allow());
  EXPECT_EQ(conflict.status().code(), StatusCode::kAlreadyExists);
  // Another client may use the same request id.
  IssuanceRequest r = Request("tls-server", csr, "order-7");
  r.client_id = "ra-2";
  StatusOr<IssuedCertificate> second = engine->Issue(r, Allow());
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_NE(second->serial_hex, first->serial_hex);
  EXPECT_EQ(signer_->calls.load(), 2);
}

TEST_F(IssuanceTest, TamperingSignerIsCaughtAndNothingReleased) {
  std::unique_ptr<IssuanceEngine> engine = Engine(int_der_);
  ASSERT_NE(engine, nullptr);
  OsslPtr<EVP_PKEY> key = NewKey("ec-p256");
  const std::string csr = MakeCsr(*key, "", "DNS:a.example.com");
  signer_->tamper = true;  // signs other bytes than the linted TBS
  StatusOr<IssuedCertificate> r = engine->Issue(Request("tls-server", csr, "t-1"), Allow());
  ASSERT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("does not verify"), std::string_view::npos) << r.status().message();
  ASSERT_EQ(journal_.outcomes().size(), 1u);
  EXPECT_EQ(journal_.outcomes()[0].code, StatusCode::kInternal);
  EXPECT_TRUE(journal_.outcomes()[0].cert_sha256.empty());
  // The failed id holds no state: a retry with a good signer succeeds.
  signer_->tamper = false;
  r = engine->Issue(Request("tls-server", csr, "t-1"), Allow());
  EXPECT_TRUE(r.ok()) << r.status().message();
}

TEST_F(IssuanceTest, TbsChangedAfterLintIsCaught) {
  signer::IssuanceOptions options;
  // Flip a bit in the serial's last byte: the TBS is still valid DER and the
  // HSM signs it, so only the byte comparison with the linted TBS can tell.
  options.tamper_tbs_for_test = [](std::string& tbs) {
    // TBS: 30 82 LL LL | A0 03 02 01 02 | 02 14 <20 serial bytes>
    tbs[9 + 2 + 19] = static_cast<char>(tbs[9 + 2 + 19] ^ 0x01);
  };
  std::unique_ptr<IssuanceEngine> engine = Engine(int_der_, options);
  ASSERT_NE(engine, nullptr);
  OsslPtr<EVP_PKEY> key = NewKey("ec-p256");
  StatusOr<IssuedCertificate> r =
      engine->Issue(Request("tls-server", MakeCsr(*key, "", "DNS:a.example.com"), "t-2"), Allow());
  ASSERT_EQ(r.status().code(), StatusCode::kInternal) << r.status().message();
  EXPECT_NE(r.status().message().find("differs from the linted TBS"), std::string_view::npos)
      << r.status().message();
  EXPECT_EQ(signer_->calls.load(), 1);
  ASSERT_EQ(journal_.outcomes().size(), 1u);
  EXPECT_EQ(journal_.outcomes()[0].code, StatusCode::kInternal);
}

TEST_F(IssuanceTest, JournalFailureStopsBeforeTheHsm) {
  std::unique_ptr<IssuanceEngine> engine = Engine(int_der_);
  ASSERT_NE(engine, nullptr);
  journal_.set_fail_intents(true);
  OsslPtr<EVP_PKEY> key = NewKey("ec-p256");
  StatusOr<IssuedCertificate> r =
      engine->Issue(Request("tls-server", MakeCsr(*key, "", "DNS:a.example.com"), "j-1"), Allow());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(signer_->calls.load(), 0);
}

TEST_F(IssuanceTest, CreateRefusesBadConfiguration) {
  signer::IssuerConfig ic;
  ic.key_name = "int-ec";
  ic.signature_algorithm = SignAlgorithm::kEcdsaP384Sha384;  // the key is P-256
  ic.certificate_der = int_der_;
  auto s = std::shared_ptr<TbsSigner>(signer::NewKeyPoolTbsSigner(*pool_, "int-ec", 0, kDeadline));
  auto engine = IssuanceEngine::Create(signer::DefaultProfiles("int-ec"), {{ic, s}}, journal_);
  EXPECT_EQ(engine.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(engine.status().message().find("ecdsa-p384"), std::string_view::npos) << engine.status().message();

  ic.signature_algorithm = SignAlgorithm::kEcdsaP256Sha256;
  engine = IssuanceEngine::Create(signer::DefaultProfiles("other-key"), {{ic, s}}, journal_);
  EXPECT_NE(engine.status().message().find("no issuer other-key"), std::string_view::npos);

  ic.crl_urls = {"http://a,URI:http://b"};
  engine = IssuanceEngine::Create(signer::DefaultProfiles("int-ec"), {{ic, s}}, journal_);
  EXPECT_NE(engine.status().message().find("crl_urls"), std::string_view::npos);

  ic.crl_urls = {};
  ic.certificate_der = root_der_.substr(0, 50);
  engine = IssuanceEngine::Create(signer::DefaultProfiles("int-ec"), {{ic, s}}, journal_);
  EXPECT_NE(engine.status().message().find("does not parse"), std::string_view::npos);

  // A leaf certificate is not an issuer.
  ic.certificate_der = IssueCodeSigningCert(root_, spki_);
  engine = IssuanceEngine::Create(signer::DefaultProfiles("int-ec"), {{ic, s}}, journal_);
  EXPECT_NE(engine.status().message().find("not a CA"), std::string_view::npos);
}

TEST_F(IssuanceTest, RsaP384AndEd25519IssuersInTheToken) {
  struct Case {
    const char* alias;
    const char* type;
    SignAlgorithm alg;
  };
  const Case cases[] = {
      {"int-rsa", "rsa-2048", SignAlgorithm::kRsaPkcs1Sha256},
      {"int-p384", "ec-p384", SignAlgorithm::kEcdsaP384Sha384},
      {"int-ed", "ed25519", SignAlgorithm::kEd25519},
  };
  signer::PoolConfig config = env_.Config(kSoftHsmModule, {"issuer"});
  for (const Case& c : cases) {
    ASSERT_TRUE(env_.GenerateKey("issuer", c.alias, c.type).ok());
    signer::KeyConfig key;
    key.name = c.alias;
    key.purpose = signer::KeyPurpose::kCertificateIssuance;
    signer::KeyVersionConfig v;
    v.replica_uris = {std::string("pkcs11:token=issuer;object=") + c.alias + ";type=private"};
    key.versions.push_back(v);
    config.keys.push_back(key);
  }
  StatusOr<std::unique_ptr<signer::KeyPool>> pool = signer::CreatePkcs11Pool(config);
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.alias);
    StatusOr<signer::KeyVersionInfo> info = (*pool)->Describe(c.alias, 0);
    ASSERT_TRUE(info.ok());
    signer::IssuerConfig ic;
    ic.key_name = c.alias;
    ic.signature_algorithm = c.alg;
    ic.certificate_der = IssueCaCert(root_, info->spki_der, std::string("Issuing CA ") + c.alias, 400);
    ASSERT_TRUE(WriteFileAtomic(env_.dir() + "/int.pem", AsBytes(CertPem(ic.certificate_der)), 0600).ok());
    std::shared_ptr<TbsSigner> s(signer::NewKeyPoolTbsSigner(**pool, c.alias, 0, kDeadline));
    auto engine = IssuanceEngine::Create(signer::DefaultProfiles(c.alias), {{ic, s}}, journal_);
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    OsslPtr<EVP_PKEY> key = NewKey("ec-p256");
    StatusOr<IssuedCertificate> issued = (*engine)->Issue(
        Request("tls-server", MakeCsr(*key, "a.example.com", "DNS:a.example.com"), c.alias), Allow());
    ASSERT_TRUE(issued.ok()) << issued.status().message();
    int rc = -1;
    std::string out = OpensslVerify(issued->certificate_der, &rc, "sslserver");
    EXPECT_EQ(rc, 0) << out;
  }
}

TEST_F(IssuanceTest, ConcurrentSameRequestSignsOnce) {
  std::unique_ptr<IssuanceEngine> engine = Engine(int_der_);
  ASSERT_NE(engine, nullptr);
  OsslPtr<EVP_PKEY> key = NewKey("ec-p256");
  const IssuanceRequest request = Request("tls-server", MakeCsr(*key, "", "DNS:a.example.com"), "race-1");
  constexpr int kThreads = 8;
  std::vector<StatusOr<IssuedCertificate>> results(kThreads, StatusOr<IssuedCertificate>(InternalError("unset")));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[static_cast<size_t>(i)] = engine->Issue(request, Allow()); });
  }
  for (std::thread& t : threads) t.join();
  std::string der;
  int ok = 0;
  for (const auto& r : results) {
    if (r.ok()) {
      ++ok;
      if (der.empty()) der = r->certificate_der;
      EXPECT_EQ(r->certificate_der, der);
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kAborted) << r.status().message();
    }
  }
  EXPECT_GE(ok, 1);
  EXPECT_EQ(signer_->calls.load(), 1);
  StatusOr<IssuedCertificate> after = engine->Issue(request, Allow());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->certificate_der, der);
}

TEST_F(IssuanceTest, EveryByteMutationOfACsrIsRefusedWithoutSigning) {
  std::unique_ptr<IssuanceEngine> engine = Engine(int_der_);
  ASSERT_NE(engine, nullptr);
  OsslPtr<EVP_PKEY> key = NewKey("ec-p256");
  const std::string csr = MakeCsr(*key, "a.example.com", "DNS:a.example.com,IP:10.1.0.1");
  for (size_t i = 0; i < csr.size(); ++i) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}}) {
      std::string bad = csr;
      bad[i] = static_cast<char>(static_cast<uint8_t>(bad[i]) ^ flip);
      StatusOr<IssuedCertificate> r =
          engine->Issue(Request("tls-server", bad, "m-" + std::to_string(i) + "-" + std::to_string(flip)), Allow());
      ASSERT_FALSE(r.ok()) << "byte " << i;
      EXPECT_TRUE(r.status().code() == StatusCode::kInvalidArgument ||
                  r.status().code() == StatusCode::kPermissionDenied)
          << "byte " << i << ": " << r.status().message();
    }
  }
  EXPECT_EQ(signer_->calls.load(), 0);
  EXPECT_TRUE(journal_.intents().empty());
  // Truncations too.
  for (size_t n = 0; n < csr.size(); n += 7) {
    EXPECT_EQ(engine->Issue(Request("tls-server", csr.substr(0, n), "trunc"), Allow()).status().code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(engine->Issue(Request("tls-server", csr, "m-ok"), Allow()).ok());
}

// Prints the issuance latency through SoftHSMv2 next to its baseline (the
// bare KeyPool::Sign of a digest), both measured here.
TEST_F(IssuanceTest, LatencyFigure) {
  std::unique_ptr<IssuanceEngine> engine = Engine(int_der_);
  ASSERT_NE(engine, nullptr);
  OsslPtr<EVP_PKEY> key = NewKey("ec-p256");
  const std::string csr = MakeCsr(*key, "", "DNS:a.example.com");
  constexpr int kRounds = 50;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) {
    ASSERT_TRUE(engine->Issue(Request("tls-server", csr, "perf-" + std::to_string(i)), Allow()).ok());
  }
  const auto t1 = std::chrono::steady_clock::now();
  const std::string digest(32, '\x11');
  for (int i = 0; i < kRounds; ++i) {
    std::string detail;
    ASSERT_TRUE(pool_->Sign("int-ec", 0, SignAlgorithm::kEcdsaP256Sha256, AsBytes(digest), kDeadline, &detail).ok());
  }
  const auto t2 = std::chrono::steady_clock::now();
  const double issue_ms = std::chrono::duration<double, std::milli>(t1 - t0).count() / kRounds;
  const double sign_ms = std::chrono::duration<double, std::milli>(t2 - t1).count() / kRounds;
  std::printf("FIGURE issuance tls-server P-256 via SoftHSMv2: %.2f ms/cert; KeyPool::Sign baseline %.2f ms\n",
              issue_ms, sign_ms);
  EXPECT_GT(issue_ms, sign_ms);
}

}  // namespace
}  // namespace pki::testing
