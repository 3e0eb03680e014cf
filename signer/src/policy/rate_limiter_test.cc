#include "policy/rate_limiter.h"

#include <gtest/gtest.h>

namespace pki::signer {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucketTest, BurstThenRefillAtRate) {
  TokenBucket bucket(10.0, 3);  // 10/s, burst 3
  const auto t0 = std::chrono::steady_clock::time_point() + std::chrono::hours(1);
  milliseconds retry{0};
  EXPECT_TRUE(bucket.Take(t0, &retry));
  EXPECT_TRUE(bucket.Take(t0, &retry));
  EXPECT_TRUE(bucket.Take(t0, &retry));
  EXPECT_FALSE(bucket.Take(t0, &retry));
  EXPECT_EQ(retry, milliseconds(100));  // one token every 100 ms
  EXPECT_FALSE(bucket.Take(t0 + milliseconds(50), &retry));
  EXPECT_EQ(retry, milliseconds(50));
  EXPECT_TRUE(bucket.Take(t0 + milliseconds(100), &retry));
  EXPECT_FALSE(bucket.Take(t0 + milliseconds(100), &retry));
  // A long pause refills to the burst, not beyond.
  const auto later = t0 + std::chrono::seconds(60);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.Take(later, &retry)) << i;
  EXPECT_FALSE(bucket.Take(later, &retry));
}

TEST(TokenBucketTest, ZeroRateIsUnlimited) {
  TokenBucket bucket(0, 0);
  milliseconds retry{0};
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(bucket.Take(std::chrono::steady_clock::now(), &retry));
}

TEST(TokenBucketTest, TimeGoingBackwardsDoesNotMintTokens) {
  TokenBucket bucket(1.0, 1);
  const auto t0 = std::chrono::steady_clock::time_point() + std::chrono::hours(1);
  milliseconds retry{0};
  EXPECT_TRUE(bucket.Take(t0, &retry));
  EXPECT_FALSE(bucket.Take(t0 - std::chrono::seconds(5), &retry));
  EXPECT_FALSE(bucket.Take(t0, &retry));
  EXPECT_EQ(retry, milliseconds(1000));
}

}  // namespace
}  // namespace pki::signer
