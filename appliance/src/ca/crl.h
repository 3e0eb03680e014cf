// crl.h — the root's CRL (v2), written with mbedTLS's ASN.1 writer (mbedTLS
// cannot write CRLs): CRL number, thisUpdate/nextUpdate, AKI, critical
// issuingDistributionPoint with onlyContainsCACerts, revoked entries with a
// reason code. Sign the TBS with ca::SignCrl (sign.h).
#ifndef PKI_APPLIANCE_CA_CRL_H_
#define PKI_APPLIANCE_CA_CRL_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"
#include "ca/ca_certificate.h"

namespace pki::appliance::ca {

// RFC 5280 CRLReason values the root uses (certificateHold is not: the root
// never suspends). kUnspecified is written as no reasonCode extension.
enum class RevocationReason : uint8_t {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kCaCompromise = 2,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
  kPrivilegeWithdrawn = 9,
};

inline constexpr int64_t kMaxCrlIntervalSeconds = 366 * 86400;  // 12 months
inline constexpr size_t kMaxRevokedEntries = 256;

struct RevokedCertificate {
  ByteSpan serial;              // big-endian magnitude, 1..20 bytes, first byte nonzero
  int64_t revocation_time = 0;  // unix seconds, UTC; not after this_update
  RevocationReason reason = RevocationReason::kUnspecified;
};

struct CrlRequest {
  uint64_t crl_number = 0;  // given by the caller; must exceed the last one issued (the device keeps it)
  int64_t this_update = 0;  // unix seconds, UTC; inside the issuer's validity
  int64_t next_update = 0;  // > this_update, <= this_update + 12 months, <= issuer's not_after
  std::span<const RevokedCertificate> revoked{};
  std::string_view distribution_point;  // optional: the URL in the IDP's fullName (matches the CRL DP of issued certs)
};

// BuildCrlTbs writes the DER TBSCertList for |issuer| to the front of
// |out_tbs| and returns its length. INVALID_ARGUMENT naming the rule broken
// (dates, interval, bad serial, duplicate serial, unknown reason, revocation
// after this_update, too many entries, bad URL); OUT_OF_RANGE if |out_tbs|
// is too small. Borrows everything for the call; deterministic.
StatusOr<size_t> BuildCrlTbs(const CaCertificate& issuer, const CrlRequest& request,
                             MutableByteSpan out_tbs);

}  // namespace pki::appliance::ca

#endif  // PKI_APPLIANCE_CA_CRL_H_
