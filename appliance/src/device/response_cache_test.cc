#include "device/response_cache.h"

#include <gtest/gtest.h>

namespace pki::appliance::device {
namespace {

TEST(ResponseCache, HitConflictMissAndReservedId) {
  ResponseCache cache;
  EXPECT_EQ(cache.Check(5, AsBytes("req")), ResponseCache::Lookup::kMiss);
  ASSERT_TRUE(cache.Store(5, AsBytes("req"), AsBytes("frame bytes")));
  EXPECT_EQ(cache.Check(5, AsBytes("req")), ResponseCache::Lookup::kHit);
  EXPECT_EQ(AsChars(cache.Frame()), "frame bytes");
  EXPECT_EQ(cache.Check(5, AsBytes("other")), ResponseCache::Lookup::kConflict);
  EXPECT_EQ(cache.Check(6, AsBytes("req")), ResponseCache::Lookup::kMiss);
  EXPECT_FALSE(cache.Store(0, AsBytes("req"), AsBytes("x")));
  EXPECT_EQ(cache.Check(0, AsBytes("req")), ResponseCache::Lookup::kMiss);
  EXPECT_EQ(cache.Check(5, AsBytes("req")), ResponseCache::Lookup::kMiss);  // Store cleared it
  ASSERT_TRUE(cache.Store(7, AsBytes("a"), AsBytes("b")));
  cache.Clear();
  EXPECT_EQ(cache.Check(7, AsBytes("a")), ResponseCache::Lookup::kMiss);
  EXPECT_TRUE(cache.Frame().empty());
}

}  // namespace
}  // namespace pki::appliance::device
