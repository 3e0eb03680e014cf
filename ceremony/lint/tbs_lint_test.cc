#include "ceremony/lint/tbs_lint.h"

#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <set>
#include <string>

namespace pki::ceremony {
namespace {

void Ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext.get(), -1);
}

struct Options {
  int serial_bytes = 20;
  long days = 365;
  const char* bc = "critical,CA:TRUE,pathlen:0";
  bool ski = true;
  const char* name_constraints = nullptr;  // e.g. "critical,permitted;DNS:example.com"
};

OsslPtr<X509> Make(EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, const char* cn, const Options& o) {
  OsslPtr<X509> cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char bytes[20];
  RAND_bytes(bytes, sizeof(bytes));
  bytes[0] = 0x45;
  OsslPtr<BIGNUM> bn(BN_bin2bn(bytes, o.serial_bytes, nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), o.days * 86400);
  X509_set_pubkey(cert.get(), key);
  X509* iss = issuer ? issuer : cert.get();
  Ext(cert.get(), iss, NID_basic_constraints, o.bc);
  Ext(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  if (o.ski) Ext(cert.get(), iss, NID_subject_key_identifier, "hash");
  Ext(cert.get(), iss, NID_authority_key_identifier, "keyid:always");
  if (o.name_constraints != nullptr) Ext(cert.get(), iss, NID_name_constraints, o.name_constraints);
  X509_sign(cert.get(), issuer_key, EVP_sha256());
  return cert;
}

std::string Tbs(X509* cert) {
  unsigned char* buf = nullptr;
  const int len = i2d_re_X509_tbs(cert, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

std::set<std::string> Names(const std::vector<LintIssue>& issues) {
  std::set<std::string> out;
  for (const auto& i : issues) out.insert(i.name);
  return out;
}

class TbsLintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_key_.reset(EVP_EC_gen("P-256"));
    Options o;
    o.days = 3650;
    o.bc = "critical,CA:TRUE";
    root_ = Make(root_key_.get(), nullptr, root_key_.get(), "Root", o);
    key_.reset(EVP_EC_gen("P-256"));
  }
  OsslPtr<EVP_PKEY> root_key_, key_;
  OsslPtr<X509> root_;
};

TEST_F(TbsLintTest, CleanIntermediateHasNoFindings) {
  auto cert = Make(key_.get(), root_.get(), root_key_.get(), "Issuing", Options{});
  const auto issues = LintTbsCertificate(Tbs(cert.get()), *root_, CertProfileExpectation{365, 0, {}, {}});
  EXPECT_TRUE(issues.empty()) << issues.front().name << ": " << issues.front().message;
}

TEST_F(TbsLintTest, ProfileAndRfc5280ProblemsAreNamed) {
  Options o;
  o.serial_bytes = 8;
  o.days = 4000;
  o.bc = "CA:TRUE";
  o.ski = false;
  auto cert = Make(key_.get(), root_.get(), root_key_.get(), "Issuing", o);
  const auto names = Names(LintTbsCertificate(Tbs(cert.get()), *root_, CertProfileExpectation{365, 0, {}, {}}));
  EXPECT_EQ(names, (std::set<std::string>{"serial-not-20-bytes", "validity-exceeds-profile", "validity-beyond-issuer",
                                          "basic-constraints-not-critical", "path-len-absent", "missing-ski"}));
}

TEST_F(TbsLintTest, WrongIssuerAndGarbageAreFatal) {
  OsslPtr<EVP_PKEY> other_key(EVP_EC_gen("P-256"));
  auto other_root = Make(other_key.get(), nullptr, other_key.get(), "Other Root", Options{});
  auto cert = Make(key_.get(), other_root.get(), other_key.get(), "Issuing", Options{});
  const auto issues = LintTbsCertificate(Tbs(cert.get()), *root_, CertProfileExpectation{365, 0, {}, {}});
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].name, "issuer-not-root");
  EXPECT_TRUE(issues[0].fatal);
  const auto garbage = LintTbsCertificate("\x30\x03\x02\x01\x01", *root_, {});
  ASSERT_EQ(garbage.size(), 1u);
  EXPECT_EQ(garbage[0].name, "tbs-unparseable");
  EXPECT_TRUE(garbage[0].fatal);
}

TEST_F(TbsLintTest, CrlNextUpdateAndNumber) {
  OsslPtr<X509_CRL> crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(root_.get()));
  OsslPtr<ASN1_STRING> now(ASN1_TIME_adj(nullptr, time(nullptr), 0, 0));
  OsslPtr<ASN1_STRING> next(ASN1_TIME_adj(nullptr, time(nullptr), 400, 0));
  X509_CRL_set1_lastUpdate(crl.get(), now.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  X509_CRL_sign(crl.get(), root_key_.get(), EVP_sha256());
  unsigned char* buf = nullptr;
  const int len = i2d_re_X509_CRL_tbs(crl.get(), &buf);
  const std::string tbs(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  const auto names = Names(LintTbsCertList(tbs, *root_, 120));
  EXPECT_EQ(names, (std::set<std::string>{"crl-next-update-far", "crl-number-missing", "missing-aki"}));
  EXPECT_TRUE(Names(LintTbsCertList(tbs, *root_, 400)).count("crl-next-update-far") == 0);
}

TEST_F(TbsLintTest, NameConstraintsMustMatchTheProfile) {
  Options o;
  o.name_constraints = "critical,permitted;DNS:example.com,permitted;DNS:example.net,excluded;DNS:bad.example.com";
  auto cert = Make(key_.get(), root_.get(), root_key_.get(), "Issuing", o);
  CertProfileExpectation want{365, 0, {"example.net", "example.com"}, {"bad.example.com"}};
  auto issues = LintTbsCertificate(Tbs(cert.get()), *root_, want);
  EXPECT_TRUE(issues.empty()) << issues.front().name << ": " << issues.front().message;
  // Another permitted set, or none expected: a mismatch naming both sides.
  issues = LintTbsCertificate(Tbs(cert.get()), *root_, CertProfileExpectation{365, 0, {"example.com"}, {"bad.example.com"}});
  ASSERT_EQ(Names(issues), std::set<std::string>{"name-constraints-mismatch"});
  EXPECT_NE(issues[0].message.find("permitted [example.com,example.net]"), std::string::npos) << issues[0].message;
  EXPECT_FALSE(issues[0].fatal);
  EXPECT_EQ(Names(LintTbsCertificate(Tbs(cert.get()), *root_, CertProfileExpectation{365, 0, {}, {}})),
            std::set<std::string>{"name-constraints-mismatch"});
  // Expected but absent.
  auto plain = Make(key_.get(), root_.get(), root_key_.get(), "Issuing", Options{});
  EXPECT_EQ(Names(LintTbsCertificate(Tbs(plain.get()), *root_, want)), std::set<std::string>{"name-constraints-mismatch"});
  // Not critical.
  o.name_constraints = "permitted;DNS:example.com,permitted;DNS:example.net,excluded;DNS:bad.example.com";
  auto soft = Make(key_.get(), root_.get(), root_key_.get(), "Issuing", o);
  EXPECT_EQ(Names(LintTbsCertificate(Tbs(soft.get()), *root_, want)), std::set<std::string>{"name-constraints-not-critical"});
}

TEST_F(TbsLintTest, KeyAlgorithmAndSizeAreChecked) {
  auto lint = [&](EVP_PKEY* key) {
    auto cert = Make(key, root_.get(), root_key_.get(), "Issuing", Options{});
    return LintTbsCertificate(Tbs(cert.get()), *root_, CertProfileExpectation{365, 0, {}, {}});
  };
  OsslPtr<EVP_PKEY> p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  EXPECT_TRUE(lint(p384.get()).empty());
  OsslPtr<EVP_PKEY> rsa3072(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(3072)));
  EXPECT_TRUE(lint(rsa3072.get()).empty());
  OsslPtr<EVP_PKEY> rsa1024(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  auto issues = lint(rsa1024.get());
  ASSERT_EQ(Names(issues), std::set<std::string>{"key-too-small"});
  EXPECT_TRUE(issues[0].fatal);
  EXPECT_NE(issues[0].message.find("1024 bits"), std::string::npos);
  // e = 3.
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  ASSERT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048), 1);
  OsslPtr<BIGNUM> three(BN_new());
  BN_set_word(three.get(), 3);
  ASSERT_EQ(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), three.get()), 1);
  EVP_PKEY* raw = nullptr;
  ASSERT_EQ(EVP_PKEY_keygen(ctx.get(), &raw), 1);
  OsslPtr<EVP_PKEY> rsa_e3(raw);
  EXPECT_EQ(Names(lint(rsa_e3.get())), std::set<std::string>{"rsa-exponent-not-65537"});
  OsslPtr<EVP_PKEY> k256(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
  EXPECT_EQ(Names(lint(k256.get())), std::set<std::string>{"key-algorithm-not-allowed"});
  OsslPtr<EVP_PKEY> ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  issues = lint(ed.get());
  ASSERT_EQ(Names(issues), std::set<std::string>{"key-algorithm-not-allowed"});
  EXPECT_TRUE(issues[0].fatal);
}

}  // namespace
}  // namespace pki::ceremony
