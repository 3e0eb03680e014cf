// storage.h — the appliance's persistent storage (flash on a board).
//
// Storage holds small records named by a 32-bit key. Every Write is
// power-fail-safe: after a power cut at any point the record reads back as
// the old value or the new one, never a mix (implementations keep two slots
// with a sequence number and a CRC, and read the newest valid one; see
// hw/host/storage/include/hw/host/two_slot_storage.h for the slot layout).
//
// Record keys in use (one range per owner, so parts never collide):
//   0x0100'0000..0x01FF'FFFF  custody (appliance/src/custody)
//   0x0200'0000..0x02FF'FFFF  audit journal (appliance/src/journal)
//   others                    free; claim a range here before using it.
#ifndef PKI_HW_STORAGE_H_
#define PKI_HW_STORAGE_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::hw {

class Storage {
 public:
  virtual ~Storage() = default;

  // MaxRecordSize is the largest record Write accepts.
  virtual size_t MaxRecordSize() const = 0;

  // Read copies record |key| into |out| and returns its length. NOT_FOUND if
  // the record was never written or was erased; OUT_OF_RANGE if |out| is too
  // small; DATA_LOSS if no copy of it is intact.
  [[nodiscard]] virtual StatusOr<size_t> Read(uint32_t key, MutableByteSpan out) = 0;

  // Write replaces record |key| with |data| atomically and durably (it has
  // reached the medium when this returns OK). INVALID_ARGUMENT if |data| is
  // larger than MaxRecordSize(); UNAVAILABLE if the medium failed and
  // RESOURCE_EXHAUSTED if it is full (the old value is then still readable).
  [[nodiscard]] virtual Status Write(uint32_t key, ByteSpan data) = 0;

  // Erase removes record |key| durably; OK if it did not exist.
  [[nodiscard]] virtual Status Erase(uint32_t key) = 0;
};

}  // namespace pki::hw

#endif  // PKI_HW_STORAGE_H_
