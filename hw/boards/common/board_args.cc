#include "hw/boards/board_args.h"

#include "hw/boards/semihosting.h"

namespace pki::hw::board {

BoardArgs BoardArgs::Read() {
  BoardArgs args;
  StatusOr<size_t> size = semihost::GetCommandLine(std::span<char>(args.text_, sizeof(args.text_)));
  args.size_ = size.ok() ? *size : 0;
  return args;
}

std::string_view BoardArgs::Get(std::string_view key) const {
  std::string_view rest(text_, size_);
  while (!rest.empty()) {
    const size_t space = rest.find(' ');
    const std::string_view word = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (word.size() > key.size() && word.substr(0, key.size()) == key && word[key.size()] == '=') {
      return word.substr(key.size() + 1);
    }
  }
  return {};
}

StatusOr<uint64_t> BoardArgs::GetNumber(std::string_view key, uint64_t fallback) const {
  const std::string_view value = Get(key);
  if (value.empty()) return fallback;
  uint64_t number = 0;
  for (char c : value) {
    if (c < '0' || c > '9' || number > (UINT64_MAX - 9) / 10) {
      return Status(StatusCode::kInvalidArgument, "board argument is not a decimal number: ").Append(key);
    }
    number = number * 10 + static_cast<uint64_t>(c - '0');
  }
  return number;
}

}  // namespace pki::hw::board
