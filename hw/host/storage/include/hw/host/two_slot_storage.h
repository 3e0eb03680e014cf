// two_slot_storage.h — power-fail-safe records over any medium of slots.
//
// TwoSlotStorage implements hw::Storage on top of a SlotMedium: each record
// key owns two slots. A Write goes to the slot that does NOT hold the newest
// intact copy, stamped with that copy's sequence number plus one and a CRC-32,
// so a power cut in the middle of a Write (dropped or torn) leaves the newest
// intact copy untouched: a Read afterwards returns the old value or the new
// one, never a mix. The per-key sequence number never goes back.
//
// Slot layout (big-endian), 24 bytes of header then the data:
//   0  magic  u32  'PKS1'
//   4  key    u32  the record key (a slot copied under another key is rejected)
//   8  seq    u64  1 for the first write of a key, +1 on every write
//  16  len    u32  data length
//  20  crc    u32  CRC-32 of bytes [0, 20) followed by the data
//  24  data
//
// The class holds no OS handle itself; the host port (FileSlotMedium) and the
// fake (hw/fake/storage) supply the medium. Portable: no OS calls here.
#ifndef PKI_HW_HOST_TWO_SLOT_STORAGE_H_
#define PKI_HW_HOST_TWO_SLOT_STORAGE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/bytes.h"
#include "base/status_or.h"
#include "hw/storage.h"

namespace pki::hw {

// SlotMedium stores opaque slot images: two per key (slot 0 and slot 1).
class SlotMedium {
 public:
  virtual ~SlotMedium() = default;

  // ReadSlot copies slot |slot| of |key| into |out| and returns its length.
  // NOT_FOUND if the slot is empty; OUT_OF_RANGE if it is longer than |out|
  // (the caller treats it as not intact); UNAVAILABLE if the medium failed.
  [[nodiscard]] virtual StatusOr<size_t> ReadSlot(uint32_t key, uint8_t slot,
                                                  MutableByteSpan out) = 0;

  // WriteSlot replaces slot |slot| of |key| with |image| durably. On failure
  // the slot may hold any prefix of |image| (a torn write) but the other slot
  // is untouched. UNAVAILABLE if the medium failed; RESOURCE_EXHAUSTED if it
  // is full.
  [[nodiscard]] virtual Status WriteSlot(uint32_t key, uint8_t slot, ByteSpan image) = 0;

  // EraseSlot empties slot |slot| of |key| durably; OK if it was empty.
  // UNAVAILABLE if the medium failed (the slot is then unchanged or empty).
  [[nodiscard]] virtual Status EraseSlot(uint32_t key, uint8_t slot) = 0;
};

class TwoSlotStorage final : public Storage {
 public:
  static constexpr size_t kHeaderSize = 24;
  static constexpr uint32_t kMagic = 0x504B5331u;  // "PKS1"

  // Create returns a storage the caller owns, which owns |medium|.
  // INVALID_ARGUMENT if |medium| is null or |max_record_size| is 0 or above
  // 16 MiB.
  static StatusOr<std::unique_ptr<TwoSlotStorage>> Create(std::unique_ptr<SlotMedium> medium,
                                                          size_t max_record_size);

  size_t MaxRecordSize() const override { return max_record_size_; }
  // See hw::Storage. Read returns UNAVAILABLE if a slot could not be read (it
  // never falls back to an older copy because a newer one was unreadable).
  [[nodiscard]] StatusOr<size_t> Read(uint32_t key, MutableByteSpan out) override;
  // See hw::Storage. Also RESOURCE_EXHAUSTED if the medium is full.
  [[nodiscard]] Status Write(uint32_t key, ByteSpan data) override;
  // See hw::Storage. Empties the older slot first, then the newer, so a cut
  // in between leaves the current value (the erase did not happen).
  [[nodiscard]] Status Erase(uint32_t key) override;

  // Sequence returns the sequence number of the newest intact copy of |key|
  // (0 if none), or UNAVAILABLE if a slot could not be read. For tests and
  // diagnostics.
  [[nodiscard]] StatusOr<uint64_t> Sequence(uint32_t key);

 private:
  struct SlotState {
    bool present = false;  // the slot holds something
    bool intact = false;   // ...that parses and passes its CRC for this key
    uint64_t seq = 0;
    size_t data_offset = 0;
    size_t data_size = 0;
  };
  struct KeyState {
    SlotState slot[2];
    int newest = -1;  // index of the newest intact slot, -1 if none
  };

  TwoSlotStorage(std::unique_ptr<SlotMedium> medium, size_t max_record_size);
  // Scan reads the slots of |key| one after the other into scratch_ and
  // classifies them. With |copy_to|, the data of the newest intact slot is
  // copied there as it goes (if it fits; the copy of an older slot may be
  // overwritten by a newer one); *copied says how many bytes were written.
  [[nodiscard]] Status Scan(uint32_t key, KeyState* out_state, MutableByteSpan copy_to = {},
                            size_t* copied = nullptr);

  std::unique_ptr<SlotMedium> medium_;
  size_t max_record_size_;
  // One slot image (header + largest record): a Scan reads each slot into it
  // in turn, and a Write then builds the new image in it. One buffer rather
  // than three keeps the boards' heap small (4 KiB records).
  std::vector<uint8_t> scratch_;
};

}  // namespace pki::hw

#endif  // PKI_HW_HOST_TWO_SLOT_STORAGE_H_
