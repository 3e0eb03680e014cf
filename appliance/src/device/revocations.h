// revocations.h — the list of intermediates the root revoked, persisted in
// one storage record (kRevocationsKey) and read back for every CRL.
//
// Record: "PKRV" | version 1 | count u16 | count x [serial length u8 |
// serial 20 (zero-padded) | revocation time i64 | reason u8] | CRC-32.
#ifndef PKI_APPLIANCE_DEVICE_REVOCATIONS_H_
#define PKI_APPLIANCE_DEVICE_REVOCATIONS_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/status_or.h"
#include "ca/crl.h"
#include "hw/storage.h"

namespace pki::appliance::device {

inline constexpr size_t kMaxRevocations = 128;  // 30 bytes each: fits a 4 KiB record

// RevocationList holds the list in the form ca::BuildCrlTbs reads: CRL
// entries whose serials view the list's own serial storage, so a CRL needs
// no second array of entries. Not copyable (the views point into it).
class RevocationList final {
 public:
  RevocationList() = default;
  RevocationList(const RevocationList&) = delete;
  RevocationList& operator=(const RevocationList&) = delete;

  size_t count() const { return count_; }
  // Find returns the index of |serial| or -1.
  int Find(ByteSpan serial) const;
  // Add appends a revocation (|serial| 1..20 bytes; checked again when a
  // CRL is built). RESOURCE_EXHAUSTED if the list is full; INVALID_ARGUMENT
  // for a serial of another length.
  [[nodiscard]] Status Add(ByteSpan serial, int64_t time, uint8_t reason);
  // Entries views the list as CRL entries, valid while the list lives.
  std::span<const ca::RevokedCertificate> Entries() const {
    return std::span<const ca::RevokedCertificate>(entries_, count_);
  }
  void Clear();

 private:
  uint8_t serials_[kMaxRevocations][20] = {};
  ca::RevokedCertificate entries_[kMaxRevocations];  // entries_[i].serial views serials_[i]
  size_t count_ = 0;
};

// LoadRevocations reads the list (empty if never written). DATA_LOSS if the
// record is corrupt; the storage's error otherwise.
StatusOr<size_t> LoadRevocations(hw::Storage& storage, RevocationList* out);

// SaveRevocations writes |list| durably. RESOURCE_EXHAUSTED if it does not
// fit the storage's record size; the storage's error otherwise.
[[nodiscard]] Status SaveRevocations(hw::Storage& storage, const RevocationList& list);

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_REVOCATIONS_H_
