#include "base/crc32.h"

#include <gtest/gtest.h>

namespace pki {
namespace {

// Check values from the CRC catalogue: CRC over "123456789".
TEST(Crc32, KnownCheckValues) {
  EXPECT_EQ(Crc32(AsBytes("123456789")), 0xCBF43926u);
  EXPECT_EQ(Crc32c(AsBytes("123456789")), 0xE3069283u);
  EXPECT_EQ(Crc32(AsBytes("")), 0u);
}

TEST(Crc32, ContinuesAcrossChunks) {
  uint32_t part = Crc32(AsBytes("1234"));
  EXPECT_EQ(Crc32(AsBytes("56789"), part), 0xCBF43926u);
  uint32_t partc = Crc32c(AsBytes("12345"));
  EXPECT_EQ(Crc32c(AsBytes("6789"), partc), 0xE3069283u);
}

TEST(Crc32, DetectsASingleBitFlip) {
  uint8_t data[64] = {};
  uint32_t clean = Crc32(data);
  data[17] ^= 0x04;
  EXPECT_NE(Crc32(data), clean);
}

}  // namespace
}  // namespace pki
