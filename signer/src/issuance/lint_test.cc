// Unit tests for the lint: a certificate built right passes; each broken
// rule is refused with INTERNAL naming the rule.
#include "lint.h"

#include <gtest/gtest.h>

#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <functional>

#include "common/ossl.h"

namespace pki::signer::internal {
namespace {

void AddExt(X509* subject, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  ASSERT_NE(ext, nullptr);
  ASSERT_EQ(X509_add_ext(subject, ext.get(), -1), 1);
}

struct Ca {
  OsslPtr<EVP_PKEY> key{EVP_EC_gen("P-256")};
  OsslPtr<X509> cert{X509_new()};
};

// Options for one leaf; defaults give a good tls-server certificate.
struct Leaf {
  long days = 30;
  int serial_bytes = 20;
  bool negative_serial = false;
  const char* bc = "critical,CA:FALSE";
  const char* ku = "critical,digitalSignature";
  const char* eku = "serverAuth";
  const char* san = "DNS:www.example.com";
  bool ski = true;
  bool duplicate_ku = false;
  bool cn = false;
  bool san_critical = true;
};

class LintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    X509* x = ca_.cert.get();
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Lint CA"), -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 365 * 86400);
    X509_set_pubkey(x, ca_.key.get());
    AddExt(x, x, NID_basic_constraints, "critical,CA:TRUE");
    AddExt(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
    AddExt(x, x, NID_subject_key_identifier, "hash");
    ASSERT_GT(X509_sign(x, ca_.key.get(), EVP_sha256()), 0);
    allow_.dns_suffixes = {"example.com"};
  }

  OsslPtr<X509> Make(const Leaf& o) {
    OsslPtr<X509> x(X509_new());
    X509_set_version(x.get(), X509_VERSION_3);
    unsigned char serial[32];
    RAND_bytes(serial, sizeof(serial));
    serial[0] = 0x55;
    OsslPtr<BIGNUM> bn(BN_bin2bn(serial, o.serial_bytes, nullptr));
    if (o.negative_serial) BN_set_negative(bn.get(), 1);
    BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get()));
    X509_set_issuer_name(x.get(), X509_get_subject_name(ca_.cert.get()));
    if (o.cn) {
      X509_NAME_add_entry_by_txt(X509_get_subject_name(x.get()), "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("www.example.com"), -1, -1, 0);
    }
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), o.days * 86400);
    X509_set_pubkey(x.get(), leaf_key_.get());
    AddExt(x.get(), ca_.cert.get(), NID_basic_constraints, o.bc);
    AddExt(x.get(), ca_.cert.get(), NID_key_usage, o.ku);
    if (o.duplicate_ku) AddExt(x.get(), ca_.cert.get(), NID_key_usage, o.ku);
    if (o.eku != nullptr) AddExt(x.get(), ca_.cert.get(), NID_ext_key_usage, o.eku);
    if (o.ski) AddExt(x.get(), ca_.cert.get(), NID_subject_key_identifier, "hash");
    AddExt(x.get(), ca_.cert.get(), NID_authority_key_identifier, "keyid:always");
    if (o.san != nullptr) {
      std::string v = std::string(o.san_critical ? "critical," : "") + o.san;
      AddExt(x.get(), ca_.cert.get(), NID_subject_alt_name, v.c_str());
    }
    EXPECT_GT(X509_sign(x.get(), ca_.key.get(), EVP_sha256()), 0);
    return x;
  }

  Status Run(const Leaf& o) {
    OsslPtr<X509> x = Make(o);
    return LintCertificate(*x, *ca_.cert, profile_, allow_, std::chrono::seconds(60));
  }

  Ca ca_;
  OsslPtr<EVP_PKEY> leaf_key_{EVP_EC_gen("P-256")};
  Profile profile_ = TlsServerProfile("ca");
  NameAllowlist allow_;
};

TEST_F(LintTest, GoodCertificatePasses) {
  Status s = Run(Leaf{});
  EXPECT_TRUE(s.ok()) << s.message();
  Leaf with_cn;
  with_cn.cn = true;
  with_cn.san_critical = false;
  s = Run(with_cn);
  EXPECT_TRUE(s.ok()) << s.message();
}

// With the CSR's SubjectPublicKeyInfo given, the certificate's must be
// byte-identical to it.
TEST_F(LintTest, SubjectKeyMustBeTheCsrs) {
  OsslPtr<X509> x = Make(Leaf{});
  X509_PUBKEY* same = nullptr;
  ASSERT_EQ(X509_PUBKEY_set(&same, leaf_key_.get()), 1);
  Status s = LintCertificate(*x, *ca_.cert, profile_, allow_, std::chrono::seconds(60), same);
  EXPECT_TRUE(s.ok()) << s.message();
  OsslPtr<EVP_PKEY> other_key(EVP_EC_gen("P-256"));
  X509_PUBKEY* other = nullptr;
  ASSERT_EQ(X509_PUBKEY_set(&other, other_key.get()), 1);
  s = LintCertificate(*x, *ca_.cert, profile_, allow_, std::chrono::seconds(60), other);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("differs from the CSR's"), std::string::npos) << s.message();
  X509_PUBKEY_free(same);
  X509_PUBKEY_free(other);
}

TEST_F(LintTest, EachBrokenRuleIsNamed) {
  struct Case {
    const char* rule;
    std::function<void(Leaf&, Profile&)> mutate;
  };
  const std::vector<Case> cases = {
      {"serial longer than 20", [](Leaf& l, Profile&) { l.serial_bytes = 21; }},
      {"serial not positive", [](Leaf& l, Profile&) { l.negative_serial = true; }},
      {"validity longer", [](Leaf& l, Profile&) { l.days = 91; }},
      {"beyond the issuer", [](Leaf& l, Profile& p) {
         l.days = 366;
         p.max_validity = std::chrono::hours(24 * 398);
       }},
      {"says CA", [](Leaf& l, Profile&) { l.bc = "critical,CA:TRUE"; }},
      {"basicConstraints missing or not critical", [](Leaf& l, Profile&) { l.bc = "CA:FALSE"; }},
      {"keyUsage missing or not critical", [](Leaf& l, Profile&) { l.ku = "digitalSignature"; }},
      {"keyUsage differs", [](Leaf& l, Profile&) { l.ku = "critical,digitalSignature,keyAgreement"; }},
      {"extendedKeyUsage differs", [](Leaf& l, Profile&) { l.eku = "serverAuth,clientAuth"; }},
      {"subjectKeyIdentifier missing", [](Leaf& l, Profile&) { l.ski = false; }},
      {"duplicate extension", [](Leaf& l, Profile&) { l.duplicate_ku = true; }},
      {"subjectAltName missing", [](Leaf& l, Profile&) { l.san = nullptr; }},
      {"not critical with an empty subject", [](Leaf& l, Profile&) { l.san_critical = false; }},
      {"names:", [](Leaf& l, Profile&) { l.san = "DNS:www.evil.net"; }},
  };
  for (const Case& c : cases) {
    Leaf l;
    profile_ = TlsServerProfile("ca");
    c.mutate(l, profile_);
    Status s = Run(l);
    EXPECT_EQ(s.code(), StatusCode::kInternal) << c.rule;
    EXPECT_NE(s.message().find(c.rule), std::string_view::npos) << c.rule << " vs " << s.message();
  }
}

TEST_F(LintTest, SubjectKeyRules) {
  Profile p = TlsServerProfile("ca");
  OsslPtr<EVP_PKEY> p384(EVP_EC_gen("P-384"));
  EXPECT_TRUE(CheckSubjectKey(p, *p384).ok());
  p.allow_ec_p384 = false;
  EXPECT_EQ(CheckSubjectKey(p, *p384).code(), StatusCode::kInvalidArgument);
  OsslPtr<EVP_PKEY> ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_EQ(CheckSubjectKey(p, *ed).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckSubjectKey(CodeSigningProfile("ca"), *ed).ok());
  OsslPtr<EVP_PKEY> rsa(EVP_RSA_gen(2048));
  EXPECT_TRUE(CheckSubjectKey(p, *rsa).ok());
  EXPECT_EQ(CheckSubjectKey(CodeSigningProfile("ca"), *rsa).code(), StatusCode::kInvalidArgument);  // >= 3072
}

}  // namespace
}  // namespace pki::signer::internal
