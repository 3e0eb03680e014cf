// board_args.h — "key=value" words from the emulator's command line (QEMU
// -append "storage=/tmp/x seed=7"), read once over semihosting. Never put a
// secret there: it is visible in the host's process list.
#ifndef PKI_HW_BOARDS_BOARD_ARGS_H_
#define PKI_HW_BOARDS_BOARD_ARGS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/status_or.h"

namespace pki::hw::board {

class BoardArgs final {
 public:
  static constexpr size_t kMaxLength = 255;

  // Read fetches the command line; an empty one if the host offers none.
  // Never fails.
  static BoardArgs Read();

  // Get returns the value of |key| (empty if absent); a view into this object.
  std::string_view Get(std::string_view key) const;
  // GetNumber returns the decimal value of |key|, |fallback| if absent.
  // INVALID_ARGUMENT naming |key| if it is not a decimal number below 2^64.
  [[nodiscard]] StatusOr<uint64_t> GetNumber(std::string_view key, uint64_t fallback) const;

 private:
  BoardArgs() = default;
  char text_[kMaxLength + 1] = {};
  size_t size_ = 0;
};

}  // namespace pki::hw::board

#endif  // PKI_HW_BOARDS_BOARD_ARGS_H_
