#include "ca/cert_tbs.h"

#include "ca/der.h"
#include "ca/intermediate.h"
#include "mbedtls/asn1.h"
#include "mbedtls/oid.h"

namespace pki::appliance::ca::internal {
namespace {

constexpr uint8_t kSeq = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
constexpr uint8_t kCtx0 = MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0;
constexpr uint8_t kCtx1 = MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 1;
constexpr uint8_t kCtx3 = MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 3;
constexpr uint8_t kDnsName = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2;     // [2] IA5String
constexpr uint8_t kUri = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6;         // [6] IA5String
constexpr uint8_t kKeyIdTag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0;    // AKI [0] KeyIdentifier

// Extension wraps the value written since |mark| as extnValue and adds
// extnID and critical.
void EndExtension(DerWriter& w, size_t mark, std::string_view oid, bool critical) {
  w.Wrap(mark, MBEDTLS_ASN1_OCTET_STRING);
  if (critical) w.Bool(true);
  w.Oid(oid);
  w.Wrap(mark, kSeq);
}

void WriteSubtrees(DerWriter& w, std::span<const std::string_view> names, uint8_t tag) {
  if (names.empty()) return;
  const size_t m = w.Mark();
  for (size_t i = names.size(); i-- > 0;) {
    const size_t sub = w.Mark();
    w.TaggedString(kDnsName, names[i]);
    w.Wrap(sub, kSeq);  // GeneralSubtree { base } (minimum 0 is DEFAULT, maximum absent)
  }
  w.Wrap(m, tag);
}

struct EkuOid {
  uint32_t bit;
  std::string_view oid;
};
constexpr EkuOid kEkuOids[] = {
    {kEkuServerAuth, MBEDTLS_OID_SERVER_AUTH},        {kEkuClientAuth, MBEDTLS_OID_CLIENT_AUTH},
    {kEkuCodeSigning, MBEDTLS_OID_CODE_SIGNING},      {kEkuEmailProtection, MBEDTLS_OID_EMAIL_PROTECTION},
    {kEkuTimeStamping, MBEDTLS_OID_TIME_STAMPING},    {kEkuOcspSigning, MBEDTLS_OID_OCSP_SIGNING},
};

}  // namespace

StatusOr<size_t> WriteCertTbs(const CertTbsFields& f, MutableByteSpan out) {
  PKI_CHECK(f.serial != nullptr);
  PKI_RETURN_IF_ERROR(CheckTimeRange(f.not_before, "notBefore"));
  PKI_RETURN_IF_ERROR(CheckTimeRange(f.not_after, "notAfter"));
  DerWriter w(out);
  const size_t tbs = w.Mark();

  // [3] Extensions, last one first.
  const size_t exts_outer = w.Mark();
  const size_t exts = w.Mark();
  if (!f.aia_ca_issuers.empty()) {
    const size_t e = w.Mark();
    const size_t ad = w.Mark();
    w.TaggedString(kUri, f.aia_ca_issuers);
    w.Oid(kOidCaIssuers);
    w.Wrap(ad, kSeq);
    w.Wrap(e, kSeq);
    EndExtension(w, e, kOidAuthorityInfoAccess, false);
  }
  if (!f.crl_dp_url.empty()) {
    const size_t e = w.Mark();
    w.TaggedString(kUri, f.crl_dp_url);
    w.Wrap(e, kCtx0);  // fullName [0] GeneralNames
    w.Wrap(e, kCtx0);  // distributionPoint [0] DistributionPointName
    w.Wrap(e, kSeq);   // DistributionPoint
    w.Wrap(e, kSeq);   // CRLDistributionPoints
    EndExtension(w, e, MBEDTLS_OID_CRL_DISTRIBUTION_POINTS, false);
  }
  if (!f.authority_key_id.empty()) {
    const size_t e = w.Mark();
    w.Raw(f.authority_key_id);
    w.Wrap(e, kKeyIdTag);
    w.Wrap(e, kSeq);
    EndExtension(w, e, MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER, false);
  }
  if (!f.subject_key_id.empty()) {
    const size_t e = w.Mark();
    w.OctetString(f.subject_key_id);
    EndExtension(w, e, MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER, false);
  }
  if (!f.permitted_dns.empty() || !f.excluded_dns.empty()) {
    const size_t e = w.Mark();
    WriteSubtrees(w, f.excluded_dns, kCtx1);
    WriteSubtrees(w, f.permitted_dns, kCtx0);
    w.Wrap(e, kSeq);
    EndExtension(w, e, MBEDTLS_OID_NAME_CONSTRAINTS, true);  // RFC 5280 4.2.1.10: MUST be critical
  }
  if (f.ext_key_usage != 0) {
    const size_t e = w.Mark();
    for (size_t i = sizeof(kEkuOids) / sizeof(kEkuOids[0]); i-- > 0;) {
      if (f.ext_key_usage & kEkuOids[i].bit) w.Oid(kEkuOids[i].oid);
    }
    w.Wrap(e, kSeq);
    EndExtension(w, e, MBEDTLS_OID_EXTENDED_KEY_USAGE, false);
  }
  if (f.key_usage != 0) {
    const size_t e = w.Mark();
    uint8_t bits[2] = {0, 0};
    for (unsigned n = 0; n < 9; ++n) {
      if (f.key_usage & (1u << n)) bits[n / 8] = static_cast<uint8_t>(bits[n / 8] | (0x80u >> (n % 8)));
    }
    w.NamedBitString(bits, 9);
    EndExtension(w, e, MBEDTLS_OID_KEY_USAGE, true);
  }
  {
    const size_t e = w.Mark();
    if (f.path_len >= 0) w.SmallInt(f.path_len);
    w.Bool(true);  // cA
    w.Wrap(e, kSeq);
    EndExtension(w, e, MBEDTLS_OID_BASIC_CONSTRAINTS, true);
  }
  w.Wrap(exts, kSeq);
  w.Wrap(exts_outer, kCtx3);

  w.Raw(f.spki);
  w.Raw(f.subject_name);
  const size_t validity = w.Mark();
  w.Time(f.not_after);
  w.Time(f.not_before);
  w.Wrap(validity, kSeq);
  w.Raw(f.issuer_name);
  WriteSignatureAlgorithm(w, f.issuer_key_alg);
  w.UnsignedInt(f.serial->view());
  const size_t version = w.Mark();
  w.SmallInt(2);  // v3
  w.Wrap(version, kCtx0);
  w.Wrap(tbs, kSeq);
  return w.Finish("TBSCertificate");
}

}  // namespace pki::appliance::ca::internal
