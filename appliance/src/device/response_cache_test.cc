#include "device/response_cache.h"

#include <gtest/gtest.h>

#include <string>

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
  EXPECT_EQ(cache.Check(5, AsBytes("req")), ResponseCache::Lookup::kHit);  // kept among the older answers
  EXPECT_EQ(AsChars(cache.Answer(5)), "frame bytes");
  ASSERT_TRUE(cache.Store(7, AsBytes("a"), AsBytes("b")));
  cache.Clear();
  EXPECT_EQ(cache.Check(7, AsBytes("a")), ResponseCache::Lookup::kMiss);
  EXPECT_TRUE(cache.Frame().empty());
}

// A retry of an earlier id still gets its own answer (the host moved on,
// then retried: issue 5), up to PKI_LINK_OLDER_RESPONSES earlier ones; the
// oldest falls out, a conflicting payload is still a conflict, and an
// answer too large for an older slot is not kept (a miss, as before).
TEST(ResponseCache, EarlierIdsKeepTheirAnswersBounded) {
  ResponseCache cache;
  const uint32_t n = PKI_LINK_OLDER_RESPONSES;
  for (uint32_t id = 1; id <= n + 2; ++id) {
    const std::string req = "req" + std::to_string(id), ans = "answer" + std::to_string(id);
    ASSERT_TRUE(cache.Store(id, AsBytes(req), AsBytes(ans)));
  }
  // Last: n + 2; older: 2 .. n + 1; 1 fell out.
  EXPECT_EQ(cache.Check(1, AsBytes("req1")), ResponseCache::Lookup::kMiss);
  EXPECT_TRUE(cache.Answer(1).empty());
  for (uint32_t id = 2; id <= n + 2; ++id) {
    const std::string req = "req" + std::to_string(id);
    EXPECT_EQ(cache.Check(id, AsBytes(req)), ResponseCache::Lookup::kHit) << id;
    EXPECT_EQ(AsChars(cache.Answer(id)), "answer" + std::to_string(id)) << id;
    EXPECT_EQ(cache.Check(id, AsBytes("something else")), ResponseCache::Lookup::kConflict) << id;
  }
  // A large answer is the last one, but does not survive being replaced.
  const std::string big(PKI_LINK_OLDER_RESPONSE_BYTES + 1, 'B');
  ASSERT_TRUE(cache.Store(100, AsBytes("big"), AsBytes(big)));
  EXPECT_EQ(AsChars(cache.Answer(100)), big);
  ASSERT_TRUE(cache.Store(101, AsBytes("next"), AsBytes("small")));
  EXPECT_EQ(cache.Check(100, AsBytes("big")), ResponseCache::Lookup::kMiss);
  EXPECT_EQ(AsChars(cache.Answer(101)), "small");
  EXPECT_EQ(AsChars(cache.Answer(n + 2)), "answer" + std::to_string(n + 2));  // still older
  cache.Clear();
  for (uint32_t id = 1; id <= 101; ++id) EXPECT_TRUE(cache.Answer(id).empty()) << id;
}

// The cache's frame room is the largest response frame the link server can
// build (nanopb's bound on an encoded Response): that is cached whole and
// answered byte for byte; anything longer is refused and nothing is kept.
TEST(ResponseCache, HoldsExactlyTheLargestResponseFrame) {
  ResponseCache cache;
  std::string largest(link::kMaxResponseFrameSize, 'R');
  largest.back() = 'E';
  ASSERT_TRUE(cache.Store(9, AsBytes("req"), AsBytes(largest)));
  EXPECT_EQ(cache.Check(9, AsBytes("req")), ResponseCache::Lookup::kHit);
  EXPECT_EQ(AsChars(cache.Answer(9)), largest);
  const std::string over(link::kMaxResponseFrameSize + 1, 'O');
  EXPECT_FALSE(cache.Store(10, AsBytes("req10"), AsBytes(over)));
  EXPECT_EQ(cache.Check(10, AsBytes("req10")), ResponseCache::Lookup::kMiss);
  EXPECT_TRUE(cache.Frame().empty());
}

}  // namespace
}  // namespace pki::appliance::device
