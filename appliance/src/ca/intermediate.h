// intermediate.h — an intermediate CA certificate from a PKCS#10 CSR under a
// profile: builds the TBSCertificate (sign it with ca::SignCertificate).
//
// The subject DN and key come from the CSR (after CheckedCsr checks proof of
// possession and the key policy); everything else comes from the profile.
// Extensions: BasicConstraints critical CA=true with pathLenConstraint;
// KeyUsage critical; optional EKU; optional NameConstraints (critical,
// permitted/excluded dNSName subtrees); CRLDistributionPoints (URI);
// AuthorityInfoAccess caIssuers (URI); SKI (RFC 7093 method 1, as root.h);
// AKI keyIdentifier = the issuer's SKI.
#ifndef PKI_APPLIANCE_CA_INTERMEDIATE_H_
#define PKI_APPLIANCE_CA_INTERMEDIATE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"
#include "ca/ca_certificate.h"
#include "ca/csr.h"
#include "ca/serial.h"

namespace pki::appliance::ca {

// KeyUsage bits (RFC 5280 bit n as 1 << n).
inline constexpr uint16_t kKuDigitalSignature = 1u << 0;
inline constexpr uint16_t kKuNonRepudiation = 1u << 1;
inline constexpr uint16_t kKuKeyEncipherment = 1u << 2;
inline constexpr uint16_t kKuDataEncipherment = 1u << 3;
inline constexpr uint16_t kKuKeyAgreement = 1u << 4;
inline constexpr uint16_t kKuKeyCertSign = 1u << 5;
inline constexpr uint16_t kKuCrlSign = 1u << 6;

// ExtendedKeyUsage purposes (a bit set; 0 means no EKU extension).
inline constexpr uint32_t kEkuServerAuth = 1u << 0;
inline constexpr uint32_t kEkuClientAuth = 1u << 1;
inline constexpr uint32_t kEkuCodeSigning = 1u << 2;
inline constexpr uint32_t kEkuEmailProtection = 1u << 3;
inline constexpr uint32_t kEkuTimeStamping = 1u << 4;
inline constexpr uint32_t kEkuOcspSigning = 1u << 5;

inline constexpr uint32_t kDefaultIntermediateMaxValidityDays = 2922;  // 8 years of 365.25 days
inline constexpr size_t kMaxNameConstraints = 16;
inline constexpr size_t kMaxUrlLength = 200;

struct IntermediateProfile {
  int path_len = 0;                                   // pathLenConstraint, >= 0
  uint16_t key_usage = kKuKeyCertSign | kKuCrlSign;   // must include keyCertSign
  uint32_t ext_key_usage = 0;                         // 0: no EKU extension
  std::span<const std::string_view> permitted_dns{};  // NameConstraints permitted dNSName subtrees
  std::span<const std::string_view> excluded_dns{};   // NameConstraints excluded dNSName subtrees
  std::string_view crl_distribution_point;            // required: http:// URL of the root CRL
  std::string_view aia_ca_issuers;                    // required: http:// URL of the root certificate
  uint32_t max_validity_days = kDefaultIntermediateMaxValidityDays;
  KeyPolicy key_policy;
};

struct IntermediateRequest {
  ByteSpan csr_der;        // PKCS#10 DER, borrowed
  int64_t not_before = 0;  // unix seconds, UTC
  int64_t not_after = 0;   // unix seconds, UTC
  Serial serial;
};

// CheckIntermediateProfile is OK if |profile| is well formed; INVALID_ARGUMENT
// naming the field otherwise (missing CRL DP or AIA URL, URL not http(s) or
// too long, path_len < 0, key_usage without keyCertSign, bad DNS subtree,
// max_validity_days 0 or above 8 years * 2, empty key policy).
[[nodiscard]] Status CheckIntermediateProfile(const IntermediateProfile& profile);

// BuildIntermediateTbs checks the profile, the CSR (CheckedCsr::Parse with
// the profile's key policy) and the validity (not_after > not_before, at most
// profile.max_validity_days, inside |issuer|'s validity), then writes the DER
// TBSCertificate to the front of |out_tbs| and returns its length.
// INVALID_ARGUMENT naming the rule broken; OUT_OF_RANGE if |out_tbs| is too
// small. Borrows everything for the call; deterministic.
StatusOr<size_t> BuildIntermediateTbs(const CaCertificate& issuer, const IntermediateProfile& profile,
                                      const IntermediateRequest& request, MutableByteSpan out_tbs);
// The same with the checked CSR parsed into |csr_room| (borrowed; its
// contents afterwards are unspecified) rather than a ~1.1 KiB stack frame:
// the appliance lends static scratch.
StatusOr<size_t> BuildIntermediateTbs(const CaCertificate& issuer, const IntermediateProfile& profile,
                                      const IntermediateRequest& request, MutableByteSpan out_tbs,
                                      CheckedCsr* csr_room);

}  // namespace pki::appliance::ca

#endif  // PKI_APPLIANCE_CA_INTERMEDIATE_H_
