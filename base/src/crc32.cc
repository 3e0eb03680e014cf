#include "base/crc32.h"

#include <array>

namespace pki {
namespace {

constexpr std::array<uint32_t, 256> MakeTable(uint32_t poly) {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (poly ^ (c >> 1)) : (c >> 1);
    table[i] = c;
  }
  return table;
}

constexpr auto kCrc32Table = MakeTable(0xEDB88320u);   // reflected 0x04C11DB7
constexpr auto kCrc32cTable = MakeTable(0x82F63B78u);  // reflected 0x1EDC6F41

uint32_t Run(const std::array<uint32_t, 256>& table, ByteSpan data, uint32_t crc) {
  crc = ~crc;
  for (uint8_t b : data) crc = table[(crc ^ b) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

}  // namespace

uint32_t Crc32(ByteSpan data, uint32_t crc) { return Run(kCrc32Table, data, crc); }
uint32_t Crc32c(ByteSpan data, uint32_t crc) { return Run(kCrc32cTable, data, crc); }

}  // namespace pki
