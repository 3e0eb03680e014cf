// root.h — the self-signed root certificate's TBSCertificate.
//
// Profile: v3; subject = issuer from RootSpec; validity <= 25 years;
// BasicConstraints critical CA=true (pathLenConstraint only if asked);
// KeyUsage critical keyCertSign|cRLSign; no EKU; SKI = leftmost 160 bits of
// SHA-256 of the subjectPublicKey BIT STRING value (RFC 7093 method 1);
// AKI keyIdentifier = SKI; 20-byte CSPRNG serial. Sign it with
// ca::SignCertificate (sign.h).
#ifndef PKI_APPLIANCE_CA_ROOT_H_
#define PKI_APPLIANCE_CA_ROOT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"
#include "ca/serial.h"
#include "crypto/keypair.h"

namespace pki::appliance::ca {

inline constexpr int64_t kSecondsPerDay = 86400;
// 25 years of 365.25 days, rounded up to whole days.
inline constexpr int64_t kMaxRootValiditySeconds = 9132 * kSecondsPerDay;

struct RootSpec {
  // Distinguished name in mbedTLS's string form, most significant first:
  // "C=US,O=Example Corp,CN=Example Root CA R1" (',' inside a value as "\,").
  std::string_view subject;
  int64_t not_before = 0;  // unix seconds, UTC
  int64_t not_after = 0;   // unix seconds, UTC; <= not_before + 25 years
  int path_len = -1;       // BasicConstraints pathLenConstraint; -1: absent
};

// BuildRootTbs writes the DER TBSCertificate of a root for |root_key|
// (borrowed; only its public half is read) to the front of |out_tbs| and
// returns its length. INVALID_ARGUMENT naming the rule broken (empty or
// unparsable subject, not_after <= not_before, validity > 25 years, dates
// outside 1950..9999, path_len < -1, bad serial); OUT_OF_RANGE if |out_tbs| is
// too small. Deterministic: same inputs, same bytes (the host previews them).
StatusOr<size_t> BuildRootTbs(const RootSpec& spec, const Serial& serial,
                              const crypto::KeyPair& root_key, MutableByteSpan out_tbs);

}  // namespace pki::appliance::ca

#endif  // PKI_APPLIANCE_CA_ROOT_H_
