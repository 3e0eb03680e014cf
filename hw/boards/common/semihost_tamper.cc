#include "hw/boards/semihost_tamper.h"

#include <cstring>

#include "hw/boards/semihosting.h"

namespace pki::hw::board {

SemihostTamper::SemihostTamper(std::string_view folder) {
  static constexpr std::string_view kName = "/TAMPER";
  if (folder.empty() || folder.size() > kMaxFolder) {
    triggered_ = true;
    return;
  }
  std::memcpy(path_, folder.data(), folder.size());
  std::memcpy(path_ + folder.size(), kName.data(), kName.size());
  path_size_ = folder.size() + kName.size();
}

TamperState SemihostTamper::Poll() {
  if (!triggered_) {
    StatusOr<int> file = semihost::Open(std::string_view(path_, path_size_),
                                        semihost::OpenMode::kReadBinary);
    if (file.ok()) {
      semihost::Close(*file).Ignore();
      triggered_ = true;
    } else if (file.status().code() != StatusCode::kNotFound) {
      triggered_ = true;  // cannot read the sensor: fail closed
    }
  }
  return triggered_ ? TamperState::kTriggered : TamperState::kClear;
}

}  // namespace pki::hw::board
