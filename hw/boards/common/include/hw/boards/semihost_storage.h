// semihost_storage.h — hw::Storage for the emulated boards: the "flash" is a
// folder of host files reached over semihosting (SYS_OPEN/READ/WRITE/REMOVE),
// one file per slot, named <folder>/<key as 8 hex digits>.<slot>.
//
// Power-fail safety comes from hw::TwoSlotStorage on top (two slots per key,
// sequence numbers, CRC-32): a write cut short leaves a torn slot that fails
// its CRC, and the other slot still holds the previous value. Semihosting has
// no fsync, so "durable" means "handed to the host's write()": enough for
// emulation, where a power cut is QEMU being killed, not the host crashing.
#ifndef PKI_HW_BOARDS_SEMIHOST_STORAGE_H_
#define PKI_HW_BOARDS_SEMIHOST_STORAGE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/status_or.h"
#include "hw/host/two_slot_storage.h"

namespace pki::hw::board {

class SemihostSlotMedium final : public SlotMedium {
 public:
  static constexpr size_t kMaxFolder = 200;

  // Create returns a medium the caller owns over host folder |folder|, which
  // must exist. INVALID_ARGUMENT if |folder| is empty or longer than
  // kMaxFolder bytes.
  static StatusOr<std::unique_ptr<SemihostSlotMedium>> Create(std::string_view folder);

  // See hw::SlotMedium.
  [[nodiscard]] StatusOr<size_t> ReadSlot(uint32_t key, uint8_t slot, MutableByteSpan out) override;
  [[nodiscard]] Status WriteSlot(uint32_t key, uint8_t slot, ByteSpan image) override;
  [[nodiscard]] Status EraseSlot(uint32_t key, uint8_t slot) override;

 private:
  SemihostSlotMedium() = default;
  // SlotPath returns "<folder>/<key>.<slot>" in path_ (valid until the next call).
  std::string_view SlotPath(uint32_t key, uint8_t slot);

  char path_[kMaxFolder + 16] = {};
  size_t folder_size_ = 0;
};

// CreateSemihostStorage returns two-slot storage the caller owns over
// SemihostSlotMedium(|folder|), with records of up to |max_record_size|
// bytes (it allocates 3 x (24 + max_record_size) bytes of scratch). Errors as
// SemihostSlotMedium::Create and TwoSlotStorage::Create.
StatusOr<std::unique_ptr<TwoSlotStorage>> CreateSemihostStorage(std::string_view folder,
                                                                size_t max_record_size);

}  // namespace pki::hw::board

#endif  // PKI_HW_BOARDS_SEMIHOST_STORAGE_H_
