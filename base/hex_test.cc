#include "base/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace pki {
namespace {

TEST(Hex, EncodesLowerCase) {
  uint8_t in[] = {0x00, 0xAB, 0x7f};
  char out[6];
  auto n = HexEncode(out, in);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(out, *n), "00ab7f");
}

TEST(Hex, DecodesEitherCaseAndRoundTrips) {
  uint8_t out[3];
  auto n = HexDecode(out, "00Ab7F");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(out[1], 0xAB);
}

TEST(Hex, RejectsBadInputNamingTheOffset) {
  uint8_t out[4];
  auto odd = HexDecode(out, "abc");
  EXPECT_EQ(odd.status().code(), StatusCode::kInvalidArgument);
  auto bad = HexDecode(out, "00zz");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "hex: bad digit at offset 2");
  uint8_t one[1];
  EXPECT_EQ(HexDecode(one, "0000").status().code(), StatusCode::kOutOfRange);
  char tiny[3];
  EXPECT_EQ(HexEncode(tiny, one).status().code(), StatusCode::kOk);
  EXPECT_EQ(HexEncode(std::span<char>(tiny, 1), one).status().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace pki
