#include "ca/crl.h"

#include <cstring>

#include "ca/der.h"
#include "mbedtls/asn1.h"
#include "mbedtls/oid.h"

namespace pki::appliance::ca {
namespace {

constexpr uint8_t kSeq = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
constexpr uint8_t kCtx0 = MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0;

bool KnownReason(RevocationReason r) {
  switch (r) {
    case RevocationReason::kUnspecified:
    case RevocationReason::kKeyCompromise:
    case RevocationReason::kCaCompromise:
    case RevocationReason::kAffiliationChanged:
    case RevocationReason::kSuperseded:
    case RevocationReason::kCessationOfOperation:
    case RevocationReason::kPrivilegeWithdrawn:
      return true;
  }
  return false;
}

void EndExtension(internal::DerWriter& w, size_t mark, std::string_view oid, bool critical) {
  w.Wrap(mark, MBEDTLS_ASN1_OCTET_STRING);
  if (critical) w.Bool(true);
  w.Oid(oid);
  w.Wrap(mark, kSeq);
}

Status CheckRequest(const CaCertificate& issuer, const CrlRequest& r) {
  PKI_RETURN_IF_ERROR(internal::CheckTimeRange(r.this_update, "CRL: thisUpdate"));
  PKI_RETURN_IF_ERROR(internal::CheckTimeRange(r.next_update, "CRL: nextUpdate"));
  if (r.next_update <= r.this_update) return InvalidArgumentError("CRL: nextUpdate must be after thisUpdate");
  if (r.next_update - r.this_update > kMaxCrlIntervalSeconds) {
    return InvalidArgumentError("CRL: nextUpdate more than 12 months after thisUpdate");
  }
  if (r.this_update < issuer.not_before() || r.next_update > issuer.not_after()) {
    return InvalidArgumentError("CRL: thisUpdate..nextUpdate must lie inside the issuer's validity");
  }
  if (!r.distribution_point.empty()) {
    PKI_RETURN_IF_ERROR(internal::CheckUrl(r.distribution_point, 200, "CRL: distribution_point"));
  }
  if (r.revoked.size() > kMaxRevokedEntries) return InvalidArgumentError("CRL: more than 256 revoked entries");
  for (size_t i = 0; i < r.revoked.size(); ++i) {
    const RevokedCertificate& e = r.revoked[i];
    if (e.serial.empty() || e.serial.size() > 20 || e.serial[0] == 0) {
      return InvalidArgumentError("CRL: revoked entry ").AppendNumber(i).Append(": serial must be 1..20 bytes, no leading zero");
    }
    PKI_RETURN_IF_ERROR(internal::CheckTimeRange(e.revocation_time, "CRL: revocationDate"));
    if (e.revocation_time > r.this_update) {
      return InvalidArgumentError("CRL: revoked entry ").AppendNumber(i).Append(": revocationDate after thisUpdate");
    }
    if (!KnownReason(e.reason)) {
      return InvalidArgumentError("CRL: revoked entry ").AppendNumber(i).Append(": unknown or unused reason code");
    }
    for (size_t j = 0; j < i; ++j) {
      const ByteSpan other = r.revoked[j].serial;
      if (other.size() == e.serial.size() && std::memcmp(other.data(), e.serial.data(), other.size()) == 0) {
        return InvalidArgumentError("CRL: revoked entry ").AppendNumber(i).Append(": duplicate serial");
      }
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<size_t> BuildCrlTbs(const CaCertificate& issuer, const CrlRequest& r, MutableByteSpan out_tbs) {
  PKI_RETURN_IF_ERROR(CheckRequest(issuer, r));
  internal::DerWriter w(out_tbs);
  const size_t tbs = w.Mark();

  // crlExtensions [0] EXPLICIT: AKI, cRLNumber, issuingDistributionPoint.
  const size_t exts_outer = w.Mark();
  const size_t exts = w.Mark();
  {
    const size_t e = w.Mark();
    const uint8_t only_ca[] = {MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2, 0x01, 0xff};  // onlyContainsCACerts [2] TRUE
    w.Raw(only_ca);
    if (!r.distribution_point.empty()) {
      const size_t dp = w.Mark();
      w.TaggedString(MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6, r.distribution_point);  // URI
      w.Wrap(dp, kCtx0);  // fullName [0]
      w.Wrap(dp, kCtx0);  // distributionPoint [0]
    }
    w.Wrap(e, kSeq);
    EndExtension(w, e, internal::kOidIssuingDistributionPoint, true);  // RFC 5280 5.2.5: critical
  }
  {
    const size_t e = w.Mark();
    w.Uint64(r.crl_number);
    EndExtension(w, e, internal::kOidCrlNumber, false);
  }
  {
    const size_t e = w.Mark();
    w.Raw(issuer.subject_key_id());
    w.Wrap(e, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0);
    w.Wrap(e, kSeq);
    EndExtension(w, e, MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER, false);
  }
  w.Wrap(exts, kSeq);
  w.Wrap(exts_outer, kCtx0);

  if (!r.revoked.empty()) {
    const size_t list = w.Mark();
    for (size_t i = r.revoked.size(); i-- > 0;) {
      const RevokedCertificate& e = r.revoked[i];
      const size_t entry = w.Mark();
      if (e.reason != RevocationReason::kUnspecified) {  // RFC 5280 5.3.1: omit rather than unspecified
        const size_t ext_list = w.Mark();
        const size_t x = w.Mark();
        w.Enumerated(static_cast<int>(e.reason));
        EndExtension(w, x, internal::kOidReasonCode, false);
        w.Wrap(ext_list, kSeq);
      }
      w.Time(e.revocation_time);
      w.UnsignedInt(e.serial);
      w.Wrap(entry, kSeq);
    }
    w.Wrap(list, kSeq);
  }
  w.Time(r.next_update);
  w.Time(r.this_update);
  w.Raw(issuer.subject_der());
  internal::WriteSignatureAlgorithm(w, issuer.key_algorithm());
  w.SmallInt(1);  // v2
  w.Wrap(tbs, kSeq);
  return w.Finish("TBSCertList");
}

}  // namespace pki::appliance::ca
