// signer_issuance_setup.h — an IssuanceEngine for fuzzing with no HSM: the
// issuer key is a software P-256 key behind a TbsSigner (the part the HSM
// plays in production), its CA certificate is made here, the journal keeps
// nothing and the clock is fixed. Everything the engine does before and
// after the signer (CSR parse, proof of possession, key policy, names vs
// profile and allowlist, lint, TBS identity and signature checks) is the
// real code. Shared by signer_issuance_fuzz and signer_request_fuzz.
#ifndef PKI_TESTS_FUZZ_SIGNER_ISSUANCE_SETUP_H_
#define PKI_TESTS_FUZZ_SIGNER_ISSUANCE_SETUP_H_

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "common/ossl.h"
#include "signer/issuance.h"

namespace pki::fuzz {

inline constexpr int64_t kIssuanceNow = 1'800'000'000;  // 2027-01-15
inline constexpr const char* kIssuerKeyName = "int-ec";

inline OsslPtr<EVP_PKEY> NewP256Key() {
  OsslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  PKI_CHECK(key != nullptr);
  return key;
}

inline std::string ToDer(X509* x) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(x, &der);
  PKI_CHECK(len > 0);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

// A self-signed issuing CA over |key|, valid around kIssuanceNow.
inline std::string MakeIssuerCert(EVP_PKEY* key) {
  OsslPtr<X509> x(X509_new());
  PKI_CHECK(x != nullptr);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 4242);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Fuzz Issuing CA"), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), kIssuanceNow - 86400 * 30);
  ASN1_TIME_set(X509_getm_notAfter(x.get()), kIssuanceNow + 86400 * 3650);
  X509_set_pubkey(x.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  const std::pair<int, const char*> exts[] = {
      {NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
      {NID_key_usage, "critical,keyCertSign,cRLSign"},
      {NID_subject_key_identifier, "hash"}};
  for (const auto& [nid, value] : exts) {
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    PKI_CHECK(e != nullptr);
    X509_add_ext(x.get(), e, -1);
    X509_EXTENSION_free(e);
  }
  PKI_CHECK(X509_sign(x.get(), key, EVP_sha256()) > 0);
  return ToDer(x.get());
}

// SoftwareTbsSigner: ECDSA P-256 / SHA-256 with a software key, standing in
// for the HSM.
class SoftwareTbsSigner final : public signer::TbsSigner {
 public:
  explicit SoftwareTbsSigner(EVP_PKEY* key) : key_(key) {}
  StatusOr<std::string> SignTbs(signer::SignAlgorithm alg, ByteSpan tbs) override {
    if (alg != signer::SignAlgorithm::kEcdsaP256Sha256) return InvalidArgumentError("alg");
    OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    size_t len = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, tbs.data(), tbs.size()) != 1) {
      return InternalError("sign");
    }
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, tbs.data(),
                       tbs.size()) != 1) {
      return InternalError("sign");
    }
    sig.resize(len);
    return sig;
  }

 private:
  EVP_PKEY* key_;
};

class NullJournal final : public signer::IssuanceJournal {
 public:
  Status RecordIntent(const signer::IssuanceIntent&) override { return OkStatus(); }
  Status RecordOutcome(const signer::IssuanceIntent&, const Status&, std::string_view) override {
    return OkStatus();
  }
};

// A profile that allows every name type and key, so the name checks past
// the profile gate (allowlist, syntax) are reachable with any name.
inline signer::Profile PermissiveProfile() {
  signer::Profile p = signer::TlsServerProfile(kIssuerKeyName);
  p.name = "permissive";
  p.ext_key_usage = {signer::kEkuServerAuth, signer::kEkuClientAuth};
  p.allow_ed25519 = true;
  p.allow_dns = p.allow_ip = p.allow_spiffe_uri = p.allow_email = true;
  p.allow_wildcard = p.allow_common_name = true;
  p.max_names = 8;
  return p;
}

inline signer::NameAllowlist WideAllowlist() {
  signer::NameAllowlist a;
  a.dns_suffixes = {"example.com", "example.org"};
  a.ip_cidrs = {"10.0.0.0/8", "2001:db8::/32"};
  a.spiffe_trust_domain = "prod.example.org";
  a.spiffe_path_prefixes = {"/"};
  a.email_domains = {"example.com"};
  return a;
}

inline signer::NameAllowlist NarrowAllowlist() {
  signer::NameAllowlist a;
  a.dns_suffixes = {"svc.example.com"};
  a.ip_cidrs = {"10.1.0.0/16"};
  a.spiffe_trust_domain = "prod.example.org";
  a.spiffe_path_prefixes = {"/ns/payments"};
  return a;
}

struct IssuanceRig {
  OsslPtr<EVP_PKEY> issuer_key;
  std::string issuer_der;
  NullJournal journal;
  std::unique_ptr<signer::IssuanceEngine> engine;
  std::vector<std::string> profile_names;
};

inline void SetUpIssuance(IssuanceRig& rig) {
  rig.issuer_key = NewP256Key();
  rig.issuer_der = MakeIssuerCert(rig.issuer_key.get());
  signer::IssuerConfig ic;
  ic.key_name = kIssuerKeyName;
  ic.signature_algorithm = signer::SignAlgorithm::kEcdsaP256Sha256;
  ic.certificate_der = rig.issuer_der;
  ic.crl_urls = {"http://crl.example.com/int.crl"};
  ic.ca_issuers_urls = {"http://pki.example.com/int.cer"};
  ic.backdate = std::chrono::seconds(120);
  std::vector<signer::Profile> profiles = signer::DefaultProfiles(kIssuerKeyName);
  profiles.push_back(PermissiveProfile());
  for (const auto& p : profiles) rig.profile_names.push_back(p.name);
  signer::IssuanceOptions options;
  options.idempotency_capacity = 4;
  options.now_unix = [] { return kIssuanceNow; };
  auto engine = signer::IssuanceEngine::Create(
      std::move(profiles),
      {signer::IssuanceEngine::Issuer{ic, std::make_shared<SoftwareTbsSigner>(rig.issuer_key.get())}},
      rig.journal, std::move(options));
  PKI_CHECK(engine.ok());
  rig.engine = std::move(engine).value();
}

// CheckIssued checks what the engine released: a leaf (not a CA) whose
// signature verifies under the issuer key and whose DNS names lie under
// |allowlist|'s suffixes.
inline void CheckIssued(const IssuanceRig& rig, const signer::IssuedCertificate& issued,
                        const signer::NameAllowlist& allowlist) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(issued.certificate_der.data());
  OsslPtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(issued.certificate_der.size())));
  PKI_CHECK(cert != nullptr);
  PKI_CHECK(X509_verify(cert.get(), rig.issuer_key.get()) == 1);
  PKI_CHECK(X509_check_ca(cert.get()) == 0);
  PKI_CHECK(issued.not_after_unix > issued.not_before_unix);
  auto* sans = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
    if (gn->type != GEN_DNS) continue;
    std::string dns(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                    static_cast<size_t>(ASN1_STRING_length(gn->d.dNSName)));
    for (char& c : dns) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    bool under = false;
    for (const std::string& s : allowlist.dns_suffixes) {
      under = under || dns == s ||
              (dns.size() > s.size() && dns.compare(dns.size() - s.size(), s.size(), s) == 0 &&
               dns[dns.size() - s.size() - 1] == '.');
    }
    PKI_CHECK(under);
  }
  GENERAL_NAMES_free(sans);
}

}  // namespace pki::fuzz

#endif  // PKI_TESTS_FUZZ_SIGNER_ISSUANCE_SETUP_H_
