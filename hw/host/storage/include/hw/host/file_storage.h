// file_storage.h — the host port of hw::Storage: a private directory of slot
// files, each written with fsync of the file and of the directory.
//
// Layout: <dir>/k<key as 8 hex digits>.<slot 0|1>, mode 0600, in a directory
// of mode 0700. The power-fail safety comes from TwoSlotStorage (two slots
// per key, sequence numbers, CRC-32); this medium only promises that a slot
// write that returned OK has reached the disk.
#ifndef PKI_HW_HOST_FILE_STORAGE_H_
#define PKI_HW_HOST_FILE_STORAGE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "base/status_or.h"
#include "hw/host/two_slot_storage.h"
#include "hw/storage.h"

namespace pki::hw {

class FileSlotMedium final : public SlotMedium {
 public:
  // Create opens (creating with mode 0700 if missing; the parent must exist)
  // the directory |dir| and returns a medium the caller owns. Fails with
  // PERMISSION_DENIED if |dir| exists with group/other access or belongs to
  // another user, FAILED_PRECONDITION if it is not a directory, UNAVAILABLE
  // (naming the path and the OS error) if it cannot be created or opened.
  static StatusOr<std::unique_ptr<FileSlotMedium>> Create(const std::string& dir);
  ~FileSlotMedium() override;
  FileSlotMedium(const FileSlotMedium&) = delete;
  FileSlotMedium& operator=(const FileSlotMedium&) = delete;

  [[nodiscard]] StatusOr<size_t> ReadSlot(uint32_t key, uint8_t slot,
                                          MutableByteSpan out) override;
  [[nodiscard]] Status WriteSlot(uint32_t key, uint8_t slot, ByteSpan image) override;
  [[nodiscard]] Status EraseSlot(uint32_t key, uint8_t slot) override;

 private:
  FileSlotMedium(std::string dir, int dir_fd) : dir_(std::move(dir)), dir_fd_(dir_fd) {}
  std::string SlotName(uint32_t key, uint8_t slot) const;

  std::string dir_;
  int dir_fd_;  // owned; closed in the destructor
};

// CreateFileStorage returns a power-fail-safe Storage the caller owns, kept
// in |dir| (see FileSlotMedium::Create for the directory's errors), taking
// records of up to |max_record_size| bytes.
StatusOr<std::unique_ptr<Storage>> CreateFileStorage(const std::string& dir,
                                                     size_t max_record_size = 4096);

}  // namespace pki::hw

#endif  // PKI_HW_HOST_FILE_STORAGE_H_
