#include "ceremony/lint/tbs_lint.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>

namespace pki::ceremony {
namespace {

// Tlv reads the DER element at |pos| of |in|: its tag, header size and
// content length. False if it runs past the end.
bool Tlv(std::string_view in, size_t pos, uint8_t* tag, size_t* header, size_t* length) {
  if (pos + 2 > in.size()) return false;
  *tag = static_cast<uint8_t>(in[pos]);
  const auto first = static_cast<uint8_t>(in[pos + 1]);
  size_t len = 0, hdr = 2;
  if (first < 0x80) {
    len = first;
  } else {
    const size_t n = first & 0x7f;
    if (n == 0 || n > 3 || pos + 2 + n > in.size()) return false;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | static_cast<uint8_t>(in[pos + 2 + i]);
    hdr += n;
  }
  if (pos + hdr + len > in.size()) return false;
  *header = hdr;
  *length = len;
  return true;
}

std::string Header(uint8_t tag, size_t len) {
  std::string h(1, static_cast<char>(tag));
  if (len < 0x80) {
    h.push_back(static_cast<char>(len));
  } else if (len < 0x100) {
    h += "\x81";
    h.push_back(static_cast<char>(len));
  } else if (len < 0x10000) {
    h += "\x82";
    h.push_back(static_cast<char>(len >> 8));
    h.push_back(static_cast<char>(len & 0xff));
  } else {
    h += "\x83";
    h.push_back(static_cast<char>(len >> 16));
    h.push_back(static_cast<char>((len >> 8) & 0xff));
    h.push_back(static_cast<char>(len & 0xff));
  }
  return h;
}

// Wrap turns a TBS into a parseable signed structure: SEQUENCE { tbs,
// algorithm (the one inside the TBS), BIT STRING (empty signature) }.
// |skip_leading| is how many elements precede the AlgorithmIdentifier when
// the first is a context tag [0] (certificate version) or an INTEGER (CRL
// version). Returns "" if the TBS is not DER.
std::string Wrap(std::string_view tbs, bool certificate) {
  uint8_t tag;
  size_t hdr, len;
  if (!Tlv(tbs, 0, &tag, &hdr, &len) || tag != 0x30 || hdr + len != tbs.size()) return "";
  size_t pos = hdr;
  if (certificate) {
    if (!Tlv(tbs, pos, &tag, &hdr, &len)) return "";
    if (tag == 0xa0) {  // version
      pos += hdr + len;
      if (!Tlv(tbs, pos, &tag, &hdr, &len)) return "";
    }
    if (tag != 0x02) return "";  // serialNumber
    pos += hdr + len;
  } else {
    if (!Tlv(tbs, pos, &tag, &hdr, &len)) return "";
    if (tag == 0x02) pos += hdr + len;  // version
  }
  if (!Tlv(tbs, pos, &tag, &hdr, &len) || tag != 0x30) return "";
  const std::string_view alg = tbs.substr(pos, hdr + len);
  const std::string body = std::string(tbs) + std::string(alg) + std::string("\x03\x01\x00", 3);
  return Header(0x30, body.size()) + body;
}

bool IsEcdsa(const X509_ALGOR* alg) {
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
  const int nid = OBJ_obj2nid(oid);
  return nid == NID_ecdsa_with_SHA256 || nid == NID_ecdsa_with_SHA384 || nid == NID_ecdsa_with_SHA512;
}

bool HasParams(const X509_ALGOR* alg) {
  int ptype = V_ASN1_UNDEF;
  X509_ALGOR_get0(nullptr, &ptype, nullptr, alg);
  return ptype != V_ASN1_UNDEF;
}

int64_t DaysBetween(const ASN1_TIME* from, const ASN1_TIME* to) {
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, from, to) != 1) return -1;
  return days;
}

}  // namespace

namespace {

// LintKey checks the certified public key: algorithm, size, RSA exponent,
// and OpenSSL's public-key check (EC point on the curve).
void LintKey(X509& cert, std::vector<LintIssue>& out) {
  EVP_PKEY* key = X509_get0_pubkey(&cert);
  if (key == nullptr) {
    out.push_back({"key-algorithm-not-allowed", "the public key does not parse", true});
    return;
  }
  const int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key) < 2048) {
      out.push_back({"key-too-small", "RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) + " bits (at least 2048)", true});
    }
    BIGNUM* e = nullptr;
    if (EVP_PKEY_get_bn_param(key, "e", &e) != 1 || !BN_is_word(e, 65537)) {
      out.push_back({"rsa-exponent-not-65537", "RSA public exponent is not 65537", true});
    }
    BN_free(e);
  } else if (id == EVP_PKEY_EC) {
    char curve[64] = {};
    size_t len = 0;
    EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof(curve), &len);
    const std::string c(curve);
    if (c != "prime256v1" && c != "secp384r1" && c != "secp521r1") {
      out.push_back({"key-algorithm-not-allowed", "EC key on curve '" + c + "' (P-256, P-384 or P-521 only)", true});
    }
  } else {
    out.push_back({"key-algorithm-not-allowed", std::string("public key type ") + OBJ_nid2sn(id) + " (RSA or EC only)", true});
    return;
  }
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (ctx == nullptr || EVP_PKEY_public_check(ctx.get()) != 1) {
    out.push_back({"key-invalid", "the public key fails OpenSSL's check (EC point not on the curve?)", true});
  }
}

std::vector<std::string> DnsSubtrees(const STACK_OF(GENERAL_SUBTREE) * trees, bool* other) {
  std::vector<std::string> out;
  for (int i = 0; i < sk_GENERAL_SUBTREE_num(trees); ++i) {
    const GENERAL_SUBTREE* t = sk_GENERAL_SUBTREE_value(trees, i);
    if (t->base->type != GEN_DNS) {
      *other = true;
      continue;
    }
    const ASN1_IA5STRING* d = t->base->d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(d)), static_cast<size_t>(ASN1_STRING_length(d)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

void LintNameConstraints(X509& cert, const CertProfileExpectation& profile, std::vector<LintIssue>& out) {
  int crit = -1;
  auto* nc = static_cast<NAME_CONSTRAINTS*>(X509_get_ext_d2i(&cert, NID_name_constraints, &crit, nullptr));
  std::vector<std::string> want_p = profile.permitted_dns, want_e = profile.excluded_dns;
  std::sort(want_p.begin(), want_p.end());
  std::sort(want_e.begin(), want_e.end());
  if (nc == nullptr) {
    if (!want_p.empty() || !want_e.empty()) {
      out.push_back({"name-constraints-mismatch", "the profile names DNS subtrees but the TBS has no nameConstraints", false});
    }
    return;
  }
  bool other = false;
  const std::vector<std::string> got_p = DnsSubtrees(nc->permittedSubtrees, &other);
  const std::vector<std::string> got_e = DnsSubtrees(nc->excludedSubtrees, &other);
  NAME_CONSTRAINTS_free(nc);
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return "[" + s + "]";
  };
  if (got_p != want_p || got_e != want_e || other) {
    out.push_back({"name-constraints-mismatch", "nameConstraints permitted " + join(got_p) + " excluded " + join(got_e) +
                                                    (other ? " (and non-DNS subtrees)" : "") + "; the profile says permitted " +
                                                    join(want_p) + " excluded " + join(want_e),
                   false});
  }
  if (crit != 1) out.push_back({"name-constraints-not-critical", "nameConstraints is not critical (RFC 5280 4.2.1.10)", false});
}

}  // namespace

std::vector<LintIssue> LintTbsCertificate(std::string_view tbs_der, X509& root,
                                          const CertProfileExpectation& profile) {
  std::vector<LintIssue> out;
  const std::string wrapped = Wrap(tbs_der, true);
  const auto* p = reinterpret_cast<const unsigned char*>(wrapped.data());
  OsslPtr<X509> cert(wrapped.empty() ? nullptr : d2i_X509(nullptr, &p, static_cast<long>(wrapped.size())));
  if (!cert) {
    OpenSslErrors();
    return {{"tbs-unparseable", "the previewed bytes are not a TBSCertificate", true}};
  }
  if (X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(&root)) != 0) {
    out.push_back({"issuer-not-root", "issuer is not the root's subject", true});
  }
  if (X509_NAME_entry_count(X509_get_subject_name(cert.get())) == 0) {
    out.push_back({"subject-empty", "subject is empty", false});
  }
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
  if (ASN1_STRING_length(serial) != 20 || serial->type == V_ASN1_NEG_INTEGER) {
    out.push_back({"serial-not-20-bytes", "serial is " + std::to_string(ASN1_STRING_length(serial)) +
                                              " bytes (want 20, positive)", false});
  }
  const int64_t days = DaysBetween(X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get()));
  if (days < 0) {
    out.push_back({"validity-inverted", "notAfter is before notBefore", true});
  } else if (profile.validity_days > 0 && days > static_cast<int64_t>(profile.validity_days) + 1) {
    out.push_back({"validity-exceeds-profile", "validity is " + std::to_string(days) + " days, profile allows " +
                                                   std::to_string(profile.validity_days), false});
  }
  if (ASN1_TIME_compare(X509_get0_notAfter(cert.get()), X509_get0_notAfter(&root)) > 0) {
    out.push_back({"validity-beyond-issuer", "notAfter is after the root's notAfter", false});
  }
  int crit = -1;
  auto* bc = static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(cert.get(), NID_basic_constraints, &crit, nullptr));
  if (bc == nullptr || !bc->ca) {
    out.push_back({"not-a-ca", "basicConstraints missing or cA false", true});
  } else {
    if (crit != 1) out.push_back({"basic-constraints-not-critical", "basicConstraints is not critical", false});
    const bool has_len = bc->pathlen != nullptr;
    if (profile.path_len >= 0 && (!has_len || ASN1_INTEGER_get(bc->pathlen) != profile.path_len)) {
      out.push_back({"path-len-absent", "pathLenConstraint is not " + std::to_string(profile.path_len), false});
    } else if (profile.path_len < 0 && has_len) {
      out.push_back({"path-len-absent", "pathLenConstraint present but the profile has none", false});
    }
  }
  BASIC_CONSTRAINTS_free(bc);
  auto* ku = static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(cert.get(), NID_key_usage, &crit, nullptr));
  if (ku == nullptr || !ASN1_BIT_STRING_get_bit(ku, 5)) {
    out.push_back({"key-usage-missing", "keyUsage missing or without keyCertSign", true});
  } else if (crit != 1) {
    out.push_back({"key-usage-not-critical", "keyUsage is not critical", false});
  }
  ASN1_BIT_STRING_free(ku);
  if (X509_get0_authority_key_id(cert.get()) == nullptr) out.push_back({"missing-aki", "no authorityKeyIdentifier", false});
  if (X509_get0_subject_key_id(cert.get()) == nullptr) out.push_back({"missing-ski", "no subjectKeyIdentifier", false});
  const X509_ALGOR* alg = X509_get0_tbs_sigalg(cert.get());
  if (IsEcdsa(alg) && HasParams(alg)) {
    out.push_back({"ecdsa-params-not-absent", "ECDSA AlgorithmIdentifier has parameters (must be absent)", false});
  }
  LintKey(*cert, out);
  LintNameConstraints(*cert, profile, out);
  OpenSslErrors();
  return out;
}

std::vector<LintIssue> LintTbsCertList(std::string_view tbs_der, X509& root, uint32_t next_update_days) {
  std::vector<LintIssue> out;
  const std::string wrapped = Wrap(tbs_der, false);
  const auto* p = reinterpret_cast<const unsigned char*>(wrapped.data());
  OsslPtr<X509_CRL> crl(wrapped.empty() ? nullptr : d2i_X509_CRL(nullptr, &p, static_cast<long>(wrapped.size())));
  if (!crl) {
    OpenSslErrors();
    return {{"tbs-unparseable", "the previewed bytes are not a TBSCertList", true}};
  }
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(&root)) != 0) {
    out.push_back({"issuer-not-root", "CRL issuer is not the root's subject", true});
  }
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
  if (next == nullptr) {
    out.push_back({"crl-next-update-far", "no nextUpdate", true});
  } else {
    const int64_t days = DaysBetween(X509_CRL_get0_lastUpdate(crl.get()), next);
    if (days < 0) out.push_back({"validity-inverted", "nextUpdate is before thisUpdate", true});
    if (days > static_cast<int64_t>(next_update_days) + 1) {
      out.push_back({"crl-next-update-far", "nextUpdate is " + std::to_string(days) + " days out, script says " +
                                               std::to_string(next_update_days), false});
    }
  }
  int crit = -1;
  auto* number = static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, &crit, nullptr));
  if (number == nullptr) out.push_back({"crl-number-missing", "no cRLNumber extension", true});
  ASN1_INTEGER_free(number);
  auto* aki = static_cast<AUTHORITY_KEYID*>(X509_CRL_get_ext_d2i(crl.get(), NID_authority_key_identifier, &crit, nullptr));
  if (aki == nullptr) out.push_back({"missing-aki", "no authorityKeyIdentifier", false});
  AUTHORITY_KEYID_free(aki);
  const X509_ALGOR* alg = nullptr;
  X509_CRL_get0_signature(crl.get(), nullptr, &alg);
  // The TBS's own signature field is what we copied into the wrapper.
  if (alg != nullptr && IsEcdsa(alg) && HasParams(alg)) {
    out.push_back({"ecdsa-params-not-absent", "ECDSA AlgorithmIdentifier has parameters (must be absent)", false});
  }
  OpenSslErrors();
  return out;
}

}  // namespace pki::ceremony
