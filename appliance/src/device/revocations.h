// revocations.h — the list of intermediates the root revoked, persisted in
// one storage record (kRevocationsKey) and read back for every CRL.
//
// Record: "PKRV" | version 1 | count u16 | count x [serial length u8 |
// serial 20 (zero-padded) | revocation time i64 | reason u8] | CRC-32.
#ifndef PKI_APPLIANCE_DEVICE_REVOCATIONS_H_
#define PKI_APPLIANCE_DEVICE_REVOCATIONS_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"
#include "ca/crl.h"
#include "hw/storage.h"

namespace pki::appliance::device {

inline constexpr size_t kMaxRevocations = 128;  // 30 bytes each: fits a 4 KiB record

struct Revocation {
  uint8_t serial[20] = {};
  uint8_t serial_size = 0;
  int64_t time = 0;
  uint8_t reason = 0;
};

struct RevocationList {
  Revocation entries[kMaxRevocations];
  size_t count = 0;
  // Find returns the index of |serial| or -1.
  int Find(ByteSpan serial) const;
};

// LoadRevocations reads the list (empty if never written). DATA_LOSS if the
// record is corrupt; the storage's error otherwise.
StatusOr<size_t> LoadRevocations(hw::Storage& storage, RevocationList* out);

// SaveRevocations writes |list| durably. RESOURCE_EXHAUSTED if it does not
// fit the storage's record size; the storage's error otherwise.
[[nodiscard]] Status SaveRevocations(hw::Storage& storage, const RevocationList& list);

// ToCrlEntries fills |out| (at least list.count entries) with views into
// |list| for ca::BuildCrlTbs. Returns the count.
size_t ToCrlEntries(const RevocationList& list, ca::RevokedCertificate* out);

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_REVOCATIONS_H_
