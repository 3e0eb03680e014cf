#include "hw/boards/semihost_storage.h"

#include <cstring>
#include <utility>

#include "hw/boards/semihosting.h"

namespace pki::hw::board {

StatusOr<std::unique_ptr<SemihostSlotMedium>> SemihostSlotMedium::Create(std::string_view folder) {
  if (folder.empty() || folder.size() > kMaxFolder) {
    return InvalidArgumentError("semihost storage: folder empty or longer than 200 bytes");
  }
  std::unique_ptr<SemihostSlotMedium> medium(new SemihostSlotMedium());
  std::memcpy(medium->path_, folder.data(), folder.size());
  medium->folder_size_ = folder.size();
  return medium;
}

std::string_view SemihostSlotMedium::SlotPath(uint32_t key, uint8_t slot) {
  static constexpr char kHex[] = "0123456789abcdef";
  char* p = path_ + folder_size_;
  *p++ = '/';
  for (int i = 0; i < 8; ++i) *p++ = kHex[(key >> (28 - 4 * i)) & 0xFu];
  *p++ = '.';
  *p++ = static_cast<char>('0' + (slot & 1u));
  return std::string_view(path_, static_cast<size_t>(p - path_));
}

StatusOr<size_t> SemihostSlotMedium::ReadSlot(uint32_t key, uint8_t slot, MutableByteSpan out) {
  if (slot > 1) return InvalidArgumentError("semihost storage: slot must be 0 or 1");
  StatusOr<int> handle = semihost::Open(SlotPath(key, slot), semihost::OpenMode::kReadBinary);
  if (!handle.ok()) return handle.status();  // NOT_FOUND: empty slot
  StatusOr<size_t> length = semihost::FileLength(*handle);
  Status result = length.status();
  size_t got = 0;
  if (result.ok() && *length > out.size()) {
    result = OutOfRangeError("semihost storage: slot larger than the buffer");
  } else if (result.ok()) {
    StatusOr<size_t> read = semihost::Read(*handle, out.first(*length));
    result = read.status();
    if (result.ok()) got = *read;
  }
  Status closed = semihost::Close(*handle);
  if (!result.ok()) return result;
  if (!closed.ok()) return closed;
  return got;
}

Status SemihostSlotMedium::WriteSlot(uint32_t key, uint8_t slot, ByteSpan image) {
  if (slot > 1) return InvalidArgumentError("semihost storage: slot must be 0 or 1");
  PKI_ASSIGN_OR_RETURN(int handle, semihost::Open(SlotPath(key, slot), semihost::OpenMode::kWriteBinary));
  Status written = semihost::Write(handle, image);
  Status closed = semihost::Close(handle);
  if (!written.ok()) return written;
  return closed;
}

Status SemihostSlotMedium::EraseSlot(uint32_t key, uint8_t slot) {
  if (slot > 1) return InvalidArgumentError("semihost storage: slot must be 0 or 1");
  Status removed = semihost::Remove(SlotPath(key, slot));
  if (removed.code() == StatusCode::kNotFound) return OkStatus();
  return removed;
}

StatusOr<std::unique_ptr<TwoSlotStorage>> CreateSemihostStorage(std::string_view folder,
                                                                size_t max_record_size) {
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<SemihostSlotMedium> medium, SemihostSlotMedium::Create(folder));
  return TwoSlotStorage::Create(std::move(medium), max_record_size);
}

}  // namespace pki::hw::board
