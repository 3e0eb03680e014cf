#include "hw/fake/seeded_entropy.h"

#include <gtest/gtest.h>

#include <array>

namespace pki::hw::fake {
namespace {

TEST(SeededEntropy, SameSeedSameStreamDifferentSeedDifferentStream) {
  auto a = SeededEntropy::Create(42);
  auto b = SeededEntropy::Create(42);
  auto c = SeededEntropy::Create(43);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_TRUE((*a)->IsTestOnly());
  std::array<uint8_t, 37> x{}, y{}, z{};
  ASSERT_TRUE((*a)->Fill(x).ok());
  ASSERT_TRUE((*b)->Fill(y).ok());
  ASSERT_TRUE((*c)->Fill(z).ok());
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  ASSERT_TRUE((*a)->Fill(x).ok());
  EXPECT_NE(x, y);  // the stream moves on
}

TEST(SeededEntropy, InjectedFailureZeroesOutputAndReportsUnavailable) {
  auto e = SeededEntropy::Create(1);
  ASSERT_TRUE(e.ok());
  (*e)->FailAfter(1);
  std::array<uint8_t, 16> buf{};
  EXPECT_TRUE((*e)->Fill(buf).ok());
  buf.fill(0xAA);
  Status s = (*e)->Fill(buf);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(buf, (std::array<uint8_t, 16>{}));
  (*e)->StopFailing();
  EXPECT_TRUE((*e)->Fill(buf).ok());
}

}  // namespace
}  // namespace pki::hw::fake
