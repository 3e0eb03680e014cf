#include "ca/intermediate.h"

#include <cstring>

#include "ca/cert_tbs.h"
#include "ca/der.h"

namespace pki::appliance::ca {
namespace {

// A dNSName subtree: "example.com" or ".example.com"; letters, digits,
// hyphens, dots; no empty labels; labels <= 63, total <= 253.
Status CheckDnsSubtree(std::string_view name, std::string_view field) {
  if (name.empty() || name.size() > 253) return InvalidArgumentError(field).Append(": DNS subtree empty or too long");
  std::string_view rest = name[0] == '.' ? name.substr(1) : name;
  if (rest.empty()) return InvalidArgumentError(field).Append(": DNS subtree has no labels");
  size_t label = 0;
  for (size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (c == '.') {
      if (label == 0) return InvalidArgumentError(field).Append(": DNS subtree has an empty label: ").Append(name);
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return InvalidArgumentError(field).Append(": DNS subtree has a bad character: ").Append(name);
    if (++label > 63) return InvalidArgumentError(field).Append(": DNS label longer than 63: ").Append(name);
  }
  if (label == 0) return InvalidArgumentError(field).Append(": DNS subtree ends with a dot: ").Append(name);
  return OkStatus();
}

bool SameBytes(ByteSpan a, ByteSpan b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace

Status CheckIntermediateProfile(const IntermediateProfile& p) {
  if (p.path_len < 0) return InvalidArgumentError("profile.path_len: must be >= 0 for an intermediate");
  if ((p.key_usage & kKuKeyCertSign) == 0) {
    return InvalidArgumentError("profile.key_usage: a CA certificate must have keyCertSign");
  }
  if ((p.key_usage & ~0x1ffu) != 0) return InvalidArgumentError("profile.key_usage: unknown bits");
  if ((p.ext_key_usage & ~0x3fu) != 0) return InvalidArgumentError("profile.ext_key_usage: unknown purpose bits");
  PKI_RETURN_IF_ERROR(internal::CheckUrl(p.crl_distribution_point, kMaxUrlLength, "profile.crl_distribution_point"));
  PKI_RETURN_IF_ERROR(internal::CheckUrl(p.aia_ca_issuers, kMaxUrlLength, "profile.aia_ca_issuers"));
  if (p.permitted_dns.size() > kMaxNameConstraints || p.excluded_dns.size() > kMaxNameConstraints) {
    return InvalidArgumentError("profile.name_constraints: more than 16 subtrees");
  }
  for (std::string_view n : p.permitted_dns) PKI_RETURN_IF_ERROR(CheckDnsSubtree(n, "profile.permitted_dns"));
  for (std::string_view n : p.excluded_dns) PKI_RETURN_IF_ERROR(CheckDnsSubtree(n, "profile.excluded_dns"));
  if (p.max_validity_days == 0 || p.max_validity_days > 2 * kDefaultIntermediateMaxValidityDays) {
    return InvalidArgumentError("profile.max_validity_days: must be 1..5844");
  }
  const KeyPolicy& k = p.key_policy;
  if (!k.allow_rsa && !k.allow_ec_p256 && !k.allow_ec_p384) {
    return InvalidArgumentError("profile.key_policy: allows no key algorithm");
  }
  if (k.allow_rsa && k.min_rsa_bits != 2048 && k.min_rsa_bits != 3072 && k.min_rsa_bits != 4096) {
    return InvalidArgumentError("profile.key_policy.min_rsa_bits: must be 2048, 3072 or 4096");
  }
  return OkStatus();
}

StatusOr<size_t> BuildIntermediateTbs(const CaCertificate& issuer, const IntermediateProfile& profile,
                                      const IntermediateRequest& request, MutableByteSpan out_tbs) {
  CheckedCsr csr;
  return BuildIntermediateTbs(issuer, profile, request, out_tbs, &csr);
}

StatusOr<size_t> BuildIntermediateTbs(const CaCertificate& issuer, const IntermediateProfile& profile,
                                      const IntermediateRequest& request, MutableByteSpan out_tbs,
                                      CheckedCsr* csr_room) {
  PKI_RETURN_IF_ERROR(CheckIntermediateProfile(profile));
  PKI_RETURN_IF_ERROR(CheckSerial(request.serial));
  PKI_RETURN_IF_ERROR(internal::CheckTimeRange(request.not_before, "validity: notBefore"));
  PKI_RETURN_IF_ERROR(internal::CheckTimeRange(request.not_after, "validity: notAfter"));
  if (request.not_after <= request.not_before) {
    return InvalidArgumentError("validity: notAfter must be after notBefore");
  }
  const int64_t max_seconds = static_cast<int64_t>(profile.max_validity_days) * 86400;
  if (request.not_after - request.not_before > max_seconds) {
    return InvalidArgumentError("validity: longer than the profile's max_validity_days of ")
        .AppendNumber(profile.max_validity_days);
  }
  if (request.not_before < issuer.not_before() || request.not_after > issuer.not_after()) {
    return InvalidArgumentError("validity: must lie inside the issuer's validity");
  }
  if (issuer.path_len() >= 0 && profile.path_len >= issuer.path_len()) {
    return InvalidArgumentError("profile.path_len: must be below the issuer's pathLenConstraint");
  }
  PKI_RETURN_IF_ERROR(CheckedCsr::ParseInto(request.csr_der, profile.key_policy, csr_room));
  const CheckedCsr& csr = *csr_room;
  if (SameBytes(csr.spki_der(), issuer.spki_der())) return InvalidArgumentError("CSR: key is the issuer's own key");
  if (SameBytes(csr.subject_der(), issuer.subject_der())) {
    return InvalidArgumentError("CSR: subject DN equals the issuer's subject");
  }
  PKI_ASSIGN_OR_RETURN(const internal::KeyId ski, internal::KeyIdFromSpki(csr.spki_der()));

  internal::CertTbsFields f;
  f.serial = &request.serial;
  f.issuer_key_alg = issuer.key_algorithm();
  f.issuer_name = issuer.subject_der();
  f.not_before = request.not_before;
  f.not_after = request.not_after;
  f.subject_name = csr.subject_der();
  f.spki = csr.spki_der();
  f.path_len = profile.path_len;
  f.key_usage = profile.key_usage;
  f.ext_key_usage = profile.ext_key_usage;
  f.permitted_dns = profile.permitted_dns;
  f.excluded_dns = profile.excluded_dns;
  f.subject_key_id = ski;
  f.authority_key_id = issuer.subject_key_id();
  f.crl_dp_url = profile.crl_distribution_point;
  f.aia_ca_issuers = profile.aia_ca_issuers;
  return internal::WriteCertTbs(f, out_tbs);
}

}  // namespace pki::appliance::ca
