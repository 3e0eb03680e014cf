// lint.cc — see lint.h.
#include "lint.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/ossl.h"
#include "names.h"

namespace pki::signer::internal {
namespace {

Status Lint(std::string_view rule) { return InternalError("lint: ").Append(rule); }

std::string ObjText(const ASN1_OBJECT* obj) {
  char buf[128] = {};
  OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  return buf;
}

uint16_t ExpectedKeyUsage(const Profile& profile, EVP_PKEY& key) {
  uint16_t ku = profile.key_usage;
  if (profile.rsa_adds_key_encipherment && EVP_PKEY_get_base_id(&key) == EVP_PKEY_RSA) {
    ku = static_cast<uint16_t>(ku | kKuKeyEncipherment);
  }
  return ku;
}

}  // namespace

Status CheckSubjectKey(const Profile& profile, EVP_PKEY& key) {
  const int id = EVP_PKEY_get_base_id(&key);
  if (id == EVP_PKEY_EC) {
    char curve[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve), &len) != 1) {
      return InvalidArgumentError("EC key without a named curve");
    }
    const std::string_view c(curve, len);
    if (c == "prime256v1" || c == "P-256") {
      if (profile.allow_ec_p256) return OkStatus();
      return InvalidArgumentError("profile ").Append(profile.name).Append(" refuses EC P-256 keys");
    }
    if (c == "secp384r1" || c == "P-384") {
      if (profile.allow_ec_p384) return OkStatus();
      return InvalidArgumentError("profile ").Append(profile.name).Append(" refuses EC P-384 keys");
    }
    return InvalidArgumentError("EC curve not allowed: ").Append(c);
  }
  if (id == EVP_PKEY_RSA) {
    if (profile.rsa_min_bits == 0) {
      return InvalidArgumentError("profile ").Append(profile.name).Append(" refuses RSA keys");
    }
    const int bits = EVP_PKEY_get_bits(&key);
    if (bits < 0 || static_cast<uint32_t>(bits) < profile.rsa_min_bits ||
        static_cast<uint32_t>(bits) > profile.rsa_max_bits) {
      return InvalidArgumentError("RSA key size ").AppendNumber(static_cast<uint64_t>(bits < 0 ? 0 : bits))
          .Append(" outside the profile's range, min ").AppendNumber(profile.rsa_min_bits);
    }
    BIGNUM* e_raw = nullptr;
    if (EVP_PKEY_get_bn_param(&key, OSSL_PKEY_PARAM_RSA_E, &e_raw) != 1) {
      return InvalidArgumentError("RSA key without a public exponent");
    }
    OsslPtr<BIGNUM> e(e_raw);
    if (!BN_is_word(e.get(), 65537)) return InvalidArgumentError("RSA public exponent must be 65537");
    return OkStatus();
  }
  if (id == EVP_PKEY_ED25519) {
    if (profile.allow_ed25519) return OkStatus();
    return InvalidArgumentError("profile ").Append(profile.name).Append(" refuses Ed25519 keys");
  }
  return InvalidArgumentError("key algorithm not allowed (EC P-256/P-384, RSA, Ed25519)");
}

std::string SpkiDer(const X509_PUBKEY& key) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(&key, &der);
  if (len <= 0) return "";
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Status LintCertificate(X509& cert, X509& issuer, const Profile& profile,
                       const NameAllowlist& allowlist, std::chrono::seconds backdate,
                       const X509_PUBKEY* subject_key) {
  if (X509_get_version(&cert) != X509_VERSION_3) return Lint("not a v3 certificate");

  // Serial: positive, at most 20 content octets.
  const ASN1_INTEGER* serial = X509_get0_serialNumber(&cert);
  OsslPtr<BIGNUM> sn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!sn || BN_is_negative(sn.get()) || BN_is_zero(sn.get())) return Lint("serial not positive");
  if (BN_num_bytes(sn.get()) > 20) return Lint("serial longer than 20 bytes");
  unsigned char* der = nullptr;
  const int serial_der = i2d_ASN1_INTEGER(serial, &der);
  OPENSSL_free(der);
  if (serial_der < 0 || serial_der > 22) return Lint("serial encoding longer than 20 octets");

  // Validity.
  const ASN1_TIME* nb = X509_get0_notBefore(&cert);
  const ASN1_TIME* na = X509_get0_notAfter(&cert);
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nb, na) != 1) return Lint("unreadable validity");
  const int64_t span = int64_t{days} * 86400 + secs;
  if (span <= 0) return Lint("notBefore is not before notAfter");
  if (span > profile.max_validity.count() + backdate.count()) return Lint("validity longer than the profile allows");
  if (ASN1_TIME_compare(na, X509_get0_notAfter(&issuer)) > 0) return Lint("notAfter beyond the issuer's");
  if (ASN1_TIME_compare(nb, X509_get0_notBefore(&issuer)) < 0) return Lint("notBefore before the issuer's");

  if (X509_NAME_cmp(X509_get_issuer_name(&cert), X509_get_subject_name(&issuer)) != 0) {
    return Lint("issuer name differs from the issuer's subject");
  }

  // Extensions: no duplicates.
  std::set<std::string> seen;
  for (int i = 0; i < X509_get_ext_count(&cert); ++i) {
    const std::string oid = ObjText(X509_EXTENSION_get_object(X509_get_ext(&cert, i)));
    if (!seen.insert(oid).second) return Lint("duplicate extension ").Append(oid);
  }
  auto critical = [&](int nid) {
    const int idx = X509_get_ext_by_NID(&cert, nid, -1);
    return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(&cert, idx)) == 1;
  };

  // BasicConstraints critical CA=false.
  const uint32_t flags = X509_get_extension_flags(&cert);
  if ((flags & EXFLAG_INVALID) != 0) return Lint("an extension does not parse");
  if ((flags & EXFLAG_BCONS) == 0 || !critical(NID_basic_constraints)) {
    return Lint("basicConstraints missing or not critical");
  }
  if ((flags & EXFLAG_CA) != 0) return Lint("basicConstraints says CA");

  // Key usage.
  EVP_PKEY* key = nullptr;
  if (subject_key != nullptr) {
    const X509_PUBKEY* in_cert = X509_get_X509_PUBKEY(&cert);
    const std::string want = SpkiDer(*subject_key);
    if (in_cert == nullptr || want.empty() || SpkiDer(*in_cert) != want) {
      return Lint("subject public key differs from the CSR's");
    }
    key = X509_PUBKEY_get0(subject_key);
  } else {
    key = X509_get0_pubkey(&cert);
  }
  if (key == nullptr) return Lint("no subject public key");
  if (!CheckSubjectKey(profile, *key).ok()) return Lint("subject key not allowed by the profile");
  if ((flags & EXFLAG_KUSAGE) == 0 || !critical(NID_key_usage)) return Lint("keyUsage missing or not critical");
  const uint32_t ku = X509_get_key_usage(&cert);
  if (ku != ExpectedKeyUsage(profile, *key)) return Lint("keyUsage differs from the profile");
  if ((ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) != 0) return Lint("keyUsage has CA bits");

  // Extended key usage: exactly the profile's set, consistent with KU.
  std::vector<std::string> want = profile.ext_key_usage;
  std::sort(want.begin(), want.end());
  std::vector<std::string> have;
  int crit = 0;
  auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(&cert, NID_ext_key_usage, &crit, nullptr));
  if (eku != nullptr) {
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i) have.push_back(ObjText(sk_ASN1_OBJECT_value(eku, i)));
    sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
  }
  std::sort(have.begin(), have.end());
  if (have != want) return Lint("extendedKeyUsage differs from the profile");
  const bool ds = (ku & KU_DIGITAL_SIGNATURE) != 0;
  for (const std::string& e : have) {
    if (e == kEkuServerAuth && !ds && (ku & (KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT)) == 0) {
      return Lint("serverAuth without a fitting keyUsage");
    }
    if ((e == kEkuClientAuth || e == kEkuCodeSigning) && !ds) {
      return Lint("clientAuth/codeSigning without digitalSignature");
    }
  }
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 && (ku & KU_KEY_ENCIPHERMENT) != 0) {
    return Lint("keyEncipherment on an Ed25519 key");
  }

  // Key identifiers.
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(&cert);
  if (ski == nullptr || ASN1_STRING_length(ski) == 0) return Lint("subjectKeyIdentifier missing");
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(&cert);
  const ASN1_OCTET_STRING* issuer_ski = X509_get0_subject_key_id(&issuer);
  if (aki == nullptr) return Lint("authorityKeyIdentifier missing");
  if (issuer_ski != nullptr && ASN1_OCTET_STRING_cmp(aki, issuer_ski) != 0) {
    return Lint("authorityKeyIdentifier differs from the issuer's subjectKeyIdentifier");
  }

  // Names.
  auto* san = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, &crit, nullptr));
  OsslPtr<GENERAL_NAMES> san_owner(san);
  if (san == nullptr || sk_GENERAL_NAME_num(san) == 0) return Lint("subjectAltName missing");
  const X509_NAME* subject = X509_get_subject_name(&cert);
  const bool empty_subject = X509_NAME_entry_count(subject) == 0;
  if (empty_subject && crit != 1) return Lint("subjectAltName not critical with an empty subject");
  if (!empty_subject && crit == 1) return Lint("subjectAltName critical with a non-empty subject");
  std::string cn;
  const std::string* cn_ptr = nullptr;
  for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, i);
    if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)) != NID_commonName || cn_ptr != nullptr) {
      return Lint("subject holds more than one CN");
    }
    const ASN1_STRING* v = X509_NAME_ENTRY_get_data(entry);
    cn.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)), static_cast<size_t>(ASN1_STRING_length(v)));
    cn_ptr = &cn;
  }
  std::vector<std::string> text;
  Status names = CheckNames(profile, allowlist, san, cn_ptr, &text);
  if (!names.ok()) return Lint("names: ").Append(names.message());

  // Signature algorithm inside and outside the TBS agree.
  const X509_ALGOR* outer = nullptr;
  X509_get0_signature(nullptr, &outer, &cert);
  if (outer == nullptr || X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(&cert)) != 0) {
    return Lint("signature algorithm differs inside and outside the TBS");
  }
  return OkStatus();
}

}  // namespace pki::signer::internal
