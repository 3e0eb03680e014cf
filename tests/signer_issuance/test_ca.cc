#include "test_ca.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>

#include "common/pem.h"

#if PKI_PRODUCTION_BUILD
#error "test-only code"
#endif

namespace pki::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test_ca: %s failed: %s\n", what, OpenSslErrors().c_str());
    std::abort();
  }
}

void AddExt(X509* subject, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  Check(ext != nullptr && X509_add_ext(subject, ext.get(), -1) == 1, "extension");
}

OsslPtr<X509> NewCert(const std::string& cn, long days) {
  OsslPtr<X509> x(X509_new());
  X509_set_version(x.get(), X509_VERSION_3);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7f;
  OsslPtr<BIGNUM> bn(BN_bin2bn(serial, sizeof(serial), nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get()));
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -86400);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), days * 86400);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x.get()), "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("PKI Test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x.get()), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return x;
}

OsslPtr<EVP_PKEY> PubFromSpki(const std::string& spki_der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(spki_der.data());
  OsslPtr<EVP_PKEY> pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
  Check(pub != nullptr, "d2i_PUBKEY");
  return pub;
}

std::string Der(X509* x) {
  StatusOr<std::string> der = CertificateToDer(*x);
  Check(der.ok(), "CertificateToDer");
  return *der;
}

}  // namespace

TestRoot MakeRoot() {
  TestRoot root;
  root.key.reset(EVP_EC_gen("P-256"));
  root.cert = NewCert("PKI Test Root", 3650);
  X509* x = root.cert.get();
  X509_set_issuer_name(x, X509_get_subject_name(x));
  X509_set_pubkey(x, root.key.get());
  AddExt(x, x, NID_basic_constraints, "critical,CA:TRUE");
  AddExt(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExt(x, x, NID_subject_key_identifier, "hash");
  Check(X509_sign(x, root.key.get(), EVP_sha256()) > 0, "root sign");
  return root;
}

std::string IssueCaCert(TestRoot& root, const std::string& spki_der, const std::string& cn, long days) {
  OsslPtr<X509> x = NewCert(cn, days);
  OsslPtr<EVP_PKEY> pub = PubFromSpki(spki_der);
  X509_set_issuer_name(x.get(), X509_get_subject_name(root.cert.get()));
  X509_set_pubkey(x.get(), pub.get());
  AddExt(x.get(), root.cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  AddExt(x.get(), root.cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExt(x.get(), root.cert.get(), NID_subject_key_identifier, "hash");
  AddExt(x.get(), root.cert.get(), NID_authority_key_identifier, "keyid:always");
  Check(X509_sign(x.get(), root.key.get(), EVP_sha256()) > 0, "intermediate sign");
  return Der(x.get());
}

std::string IssueCodeSigningCert(TestRoot& root, const std::string& spki_der) {
  OsslPtr<X509> x = NewCert("release signing", 365);
  OsslPtr<EVP_PKEY> pub = PubFromSpki(spki_der);
  X509_set_issuer_name(x.get(), X509_get_subject_name(root.cert.get()));
  X509_set_pubkey(x.get(), pub.get());
  AddExt(x.get(), root.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  AddExt(x.get(), root.cert.get(), NID_key_usage, "critical,digitalSignature");
  AddExt(x.get(), root.cert.get(), NID_ext_key_usage, "codeSigning");
  AddExt(x.get(), root.cert.get(), NID_subject_key_identifier, "hash");
  AddExt(x.get(), root.cert.get(), NID_authority_key_identifier, "keyid:always");
  Check(X509_sign(x.get(), root.key.get(), EVP_sha256()) > 0, "leaf sign");
  return Der(x.get());
}

OsslPtr<EVP_PKEY> NewKey(const std::string& type) {
  OsslPtr<EVP_PKEY> key;
  if (type == "ec-p256") key.reset(EVP_EC_gen("P-256"));
  if (type == "ec-p384") key.reset(EVP_EC_gen("P-384"));
  if (type == "ed25519") key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (type == "rsa-1024") key.reset(EVP_RSA_gen(1024));
  if (type == "rsa-2048") key.reset(EVP_RSA_gen(2048));
  if (type == "rsa-3072") key.reset(EVP_RSA_gen(3072));
  if (type == "rsa-2048-e3") {
    OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    OsslPtr<BIGNUM> e(BN_new());
    BN_set_word(e.get(), 3);
    EVP_PKEY* raw = nullptr;
    Check(EVP_PKEY_keygen_init(ctx.get()) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) == 1 &&
              EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) == 1 &&
              EVP_PKEY_keygen(ctx.get(), &raw) == 1,
          "rsa e=3 keygen");
    key.reset(raw);
  }
  Check(key != nullptr, "NewKey");
  return key;
}

std::string MakeCsr(EVP_PKEY& key, const std::string& cn, const std::string& san, bool corrupt_signature) {
  OsslPtr<X509_REQ> req(X509_REQ_new());
  X509_REQ_set_version(req.get(), X509_REQ_VERSION_1);
  if (!cn.empty()) {
    X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Ignored Org"), -1, -1, 0);
  X509_REQ_set_pubkey(req.get(), &key);
  if (!san.empty()) {
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
    Check(ext != nullptr, "SAN");
    sk_X509_EXTENSION_push(exts, ext);
    Check(X509_REQ_add_extensions(req.get(), exts) == 1, "X509_REQ_add_extensions");
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  }
  const bool pure = EVP_PKEY_get_base_id(&key) == EVP_PKEY_ED25519;
  Check(X509_REQ_sign(req.get(), &key, pure ? nullptr : EVP_sha256()) > 0, "X509_REQ_sign");
  unsigned char* der = nullptr;
  const int len = i2d_X509_REQ(req.get(), &der);
  Check(len > 0, "i2d_X509_REQ");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  if (corrupt_signature) out[out.size() - 5] = static_cast<char>(out[out.size() - 5] ^ 0x01);
  return out;
}

std::string CertPem(const std::string& der) { return DerToPem("CERTIFICATE", der); }

Status RecordingJournal::RecordIntent(const signer::IssuanceIntent& intent) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_intents_) return UnavailableError("journal: disk full (injected)");
  intents_.push_back(intent);
  return OkStatus();
}

Status RecordingJournal::RecordOutcome(const signer::IssuanceIntent& intent, const Status& outcome,
                                       std::string_view certificate_sha256_hex) {
  std::lock_guard<std::mutex> lock(mu_);
  outcomes_.push_back(Outcome{intent, outcome.code(), std::string(outcome.message()),
                              std::string(certificate_sha256_hex)});
  return OkStatus();
}

std::vector<signer::IssuanceIntent> RecordingJournal::intents() const {
  std::lock_guard<std::mutex> lock(mu_);
  return intents_;
}

std::vector<RecordingJournal::Outcome> RecordingJournal::outcomes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outcomes_;
}

}  // namespace pki::testing
