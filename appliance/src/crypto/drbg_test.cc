#include "crypto/drbg.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "crypto/test_entropy.h"

namespace pki::appliance::crypto {
namespace {

using testing::SeededEntropy;

TEST(DrbgTest, SameSeedSameOutputDifferentPersonalizationDifferentOutput) {
  SeededEntropy e1(1), e2(1), e3(1);
  std::optional<Drbg> d1, d2, d3;
  ASSERT_TRUE(Drbg::Create(e1, AsBytes("serials"), d1).ok());
  ASSERT_TRUE(Drbg::Create(e2, AsBytes("serials"), d2).ok());
  ASSERT_TRUE(Drbg::Create(e3, AsBytes("keygen"), d3).ok());
  std::array<uint8_t, 64> a{}, b{}, c{};
  ASSERT_TRUE(d1->Generate(a).ok());
  ASSERT_TRUE(d2->Generate(b).ok());
  ASSERT_TRUE(d3->Generate(c).ok());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_GE(e1.bytes_served(), 32u);  // seeded from the HAL source
}

TEST(DrbgTest, SuccessiveOutputsDifferAndLargeRequestsAreSplit) {
  SeededEntropy e(2);
  std::optional<Drbg> d;
  ASSERT_TRUE(Drbg::Create(e, {}, d).ok());
  std::array<uint8_t, 3000> big{};
  ASSERT_TRUE(d->Generate(big).ok());  // > MBEDTLS_CTR_DRBG_MAX_REQUEST
  EXPECT_NE(std::memcmp(big.data(), big.data() + 1024, 1024), 0);
  std::array<uint8_t, 32> x{}, y{};
  ASSERT_TRUE(d->Generate(x).ok());
  ASSERT_TRUE(d->Generate(y).ok());
  EXPECT_NE(x, y);
}

TEST(DrbgTest, EntropyFailureAtSeedIsUnavailableAndLeavesNoDrbg) {
  SeededEntropy e(3);
  e.FailAfter(0);
  std::optional<Drbg> d;
  Status s = Drbg::Create(e, {}, d);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.message();
  EXPECT_FALSE(d.has_value());
}

TEST(DrbgTest, EntropyFailureAtReseedIsUnavailableAndWipesOutput) {
  SeededEntropy e(4);
  std::optional<Drbg> d;
  ASSERT_TRUE(Drbg::Create(e, {}, d).ok());
  e.FailAfter(0);
  EXPECT_EQ(d->Reseed({}).code(), StatusCode::kUnavailable);
}

TEST(DrbgTest, PersonalizationTooLongIsRejected) {
  SeededEntropy e(5);
  std::optional<Drbg> d;
  std::array<uint8_t, 129> pers{};
  EXPECT_EQ(Drbg::Create(e, pers, d).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(d.has_value());
}

TEST(DrbgTest, RngAdapterFeedsMbedtls) {
  SeededEntropy e(6);
  std::optional<Drbg> d;
  ASSERT_TRUE(Drbg::Create(e, {}, d).ok());
  std::array<uint8_t, 16> a{};
  EXPECT_EQ(Drbg::Rng(&*d, a.data(), a.size()), 0);
  EXPECT_NE(a, (std::array<uint8_t, 16>{}));
}

}  // namespace
}  // namespace pki::appliance::crypto
