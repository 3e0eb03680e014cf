#include "custody/gf256.h"

#include <gtest/gtest.h>

namespace pki::appliance::custody::gf256 {
namespace {

// Reference multiply: schoolbook polynomial product, then reduction by 0x11b,
// written plainly (branches) to check the constant-time version.
uint8_t SlowMul(uint8_t a, uint8_t b) {
  uint16_t p = 0;
  for (int i = 0; i < 8; ++i) {
    if (b & (1 << i)) p = static_cast<uint16_t>(p ^ (a << i));
  }
  for (int bit = 15; bit >= 8; --bit) {
    if (p & (1 << bit)) p = static_cast<uint16_t>(p ^ (0x11b << (bit - 8)));
  }
  return static_cast<uint8_t>(p);
}

TEST(Gf256, KnownAesVectors) {
  // FIPS-197 section 4.2: {57} x {83} = {c1}, {57} x {13} = {fe}.
  EXPECT_EQ(Mul(0x57, 0x83), 0xc1);
  EXPECT_EQ(Mul(0x57, 0x13), 0xfe);
  // {53} and {ca} are inverses (FIPS-197 section 5.1.1 example field).
  EXPECT_EQ(Inv(0x53), 0xca);
  static_assert(Mul(0x57, 0x83) == 0xc1, "usable in constant expressions");
}

TEST(Gf256, MulMatchesReferenceForAllPairs) {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      ASSERT_EQ(Mul(uint8_t(a), uint8_t(b)), SlowMul(uint8_t(a), uint8_t(b))) << a << "*" << b;
      ASSERT_EQ(Mul(uint8_t(a), uint8_t(b)), Mul(uint8_t(b), uint8_t(a)));
    }
  }
}

TEST(Gf256, FieldLaws) {
  for (int a = 0; a < 256; ++a) {
    EXPECT_EQ(Mul(uint8_t(a), 1), a);
    EXPECT_EQ(Mul(uint8_t(a), 0), 0);
    EXPECT_EQ(Add(uint8_t(a), uint8_t(a)), 0);
    for (int b = 0; b < 256; b += 7) {
      for (int c = 0; c < 256; c += 13) {
        const uint8_t x = uint8_t(a), y = uint8_t(b), z = uint8_t(c);
        ASSERT_EQ(Mul(Mul(x, y), z), Mul(x, Mul(y, z)));
        ASSERT_EQ(Mul(x, Add(y, z)), Add(Mul(x, y), Mul(x, z)));
      }
    }
  }
}

TEST(Gf256, EveryNonZeroElementHasItsInverse) {
  EXPECT_EQ(Inv(0), 0);
  for (int a = 1; a < 256; ++a) {
    const uint8_t inv = Inv(uint8_t(a));
    EXPECT_NE(inv, 0);
    EXPECT_EQ(Mul(uint8_t(a), inv), 1) << a;
    EXPECT_EQ(Div(1, uint8_t(a)), inv);
    EXPECT_EQ(Inv(inv), a);
  }
}

}  // namespace
}  // namespace pki::appliance::custody::gf256
