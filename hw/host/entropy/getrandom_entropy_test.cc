#include "hw/host/getrandom_entropy.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace pki::hw::host {
namespace {

TEST(GetrandomEntropy, FillsLargeBuffersWithDistinctNonZeroBytes) {
  GetrandomEntropy e;
  EXPECT_FALSE(e.IsTestOnly());
  std::array<uint8_t, 4096> a{};
  std::array<uint8_t, 4096> b{};
  ASSERT_TRUE(e.Fill(a).ok());
  ASSERT_TRUE(e.Fill(b).ok());
  EXPECT_NE(a, b);
  // Every byte value shows up in 4 KiB of random data with overwhelming odds;
  // a stuck or zero-filled source fails this.
  std::array<int, 256> seen{};
  for (uint8_t v : a) seen[v]++;
  int distinct = 0;
  for (int c : seen) distinct += c > 0;
  EXPECT_GT(distinct, 240);
  EXPECT_TRUE(e.Fill(MutableByteSpan()).ok());
}

}  // namespace
}  // namespace pki::hw::host
