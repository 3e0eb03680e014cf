#include "base/hex.h"

namespace pki {
namespace {

int Nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

StatusOr<size_t> HexEncode(std::span<char> out, ByteSpan in) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (out.size() / 2 < in.size()) return OutOfRangeError("hex: output buffer too small");
  for (size_t i = 0; i < in.size(); ++i) {
    out[2 * i] = kDigits[in[i] >> 4];
    out[2 * i + 1] = kDigits[in[i] & 0x0F];
  }
  return in.size() * 2;
}

StatusOr<size_t> HexDecode(MutableByteSpan out, std::string_view hex) {
  if (hex.size() % 2 != 0) return InvalidArgumentError("hex: odd number of digits");
  if (out.size() < hex.size() / 2) return OutOfRangeError("hex: output buffer too small");
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = Nibble(hex[i]);
    int lo = Nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return InvalidArgumentError("hex: bad digit at offset ").AppendNumber(hi < 0 ? i : i + 1);
    }
    out[i / 2] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return hex.size() / 2;
}

}  // namespace pki
