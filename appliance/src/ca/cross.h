// cross.h — a cross-certificate for a root rollover: the new root's subject
// and key, certified by the old root. SKI = the new root's SKI (copied from
// its certificate), AKI = the old root's SKI, BasicConstraints critical
// CA=true (pathLenConstraint as the new root's unless overridden), KeyUsage
// critical keyCertSign|cRLSign, validity inside the old root's.
#ifndef PKI_APPLIANCE_CA_CROSS_H_
#define PKI_APPLIANCE_CA_CROSS_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"
#include "ca/ca_certificate.h"
#include "ca/serial.h"

namespace pki::appliance::ca {

inline constexpr int kPathLenFromNewRoot = -2;

struct CrossRequest {
  int64_t not_before = 0;  // unix seconds, UTC
  int64_t not_after = 0;   // unix seconds, UTC
  Serial serial;
  int path_len = kPathLenFromNewRoot;  // -2: as the new root; -1: absent; >= 0: this value
};

// BuildCrossTbs writes the DER TBSCertificate certifying |new_root| under
// |old_root| to the front of |out_tbs| and returns its length.
// INVALID_ARGUMENT naming the rule broken (same subject and key as the old
// root, validity not inside the old root's or not inside the new root's,
// not_after <= not_before, bad serial); OUT_OF_RANGE if |out_tbs| is too small.
StatusOr<size_t> BuildCrossTbs(const CaCertificate& old_root, const CaCertificate& new_root,
                               const CrossRequest& request, MutableByteSpan out_tbs);

}  // namespace pki::appliance::ca

#endif  // PKI_APPLIANCE_CA_CROSS_H_
