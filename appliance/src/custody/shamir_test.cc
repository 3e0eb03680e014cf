#include "custody/shamir.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <random>
#include <set>
#include <vector>

namespace pki::appliance::custody {
namespace {

const SecretAccess kAccess = SecretAccess::Grant();

ShareValue MakeSecret(uint8_t seed) {
  ShareValue s;
  std::array<uint8_t, kSecretSize> b{};
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(seed * 31 + i * 7);
  EXPECT_TRUE(s.Assign(b).ok());
  return s;
}

std::vector<uint8_t> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

std::array<ShamirShare, kMaxShares> Split(const ShareValue& secret, size_t m, size_t n,
                                          uint32_t seed) {
  std::array<ShamirShare, kMaxShares> shares;
  const auto random = Random(CoefficientBytes(m), seed);
  Status st = ShamirSplit(std::span(shares.data(), n), secret, m, random);
  EXPECT_TRUE(st.ok()) << st.message();
  return shares;
}

TEST(Shamir, EveryMSubsetOfNReconstructs) {
  for (size_t n = 2; n <= 6; ++n) {
    for (size_t m = 2; m <= n; ++m) {
      const ShareValue secret = MakeSecret(static_cast<uint8_t>(m * 16 + n));
      auto shares = Split(secret, m, n, static_cast<uint32_t>(m * 100 + n));
      for (uint32_t mask = 0; mask < (1u << n); ++mask) {
        if (static_cast<size_t>(__builtin_popcount(mask)) != m) continue;
        std::vector<const ShamirShare*> pick;
        for (size_t i = 0; i < n; ++i) {
          if (mask & (1u << i)) pick.push_back(&shares[i]);
        }
        ShareValue out;
        ASSERT_TRUE(ShamirCombine(&out, pick).ok());
        EXPECT_TRUE(out.Equals(secret)) << "m=" << m << " n=" << n << " mask=" << mask;
      }
    }
  }
}

TEST(Shamir, SixteenSharesAnyOrder) {
  const ShareValue secret = MakeSecret(9);
  auto shares = Split(secret, 11, 16, 77);
  std::vector<const ShamirShare*> pick;
  for (int i : {15, 3, 9, 0, 12, 7, 1, 14, 5, 10, 2}) pick.push_back(&shares[size_t(i)]);
  ShareValue out;
  ASSERT_TRUE(ShamirCombine(&out, pick).ok());
  EXPECT_TRUE(out.Equals(secret));
}

TEST(Shamir, FewerThanMSharesDoNotReconstruct) {
  const ShareValue secret = MakeSecret(3);
  auto shares = Split(secret, 3, 5, 5);
  for (size_t i = 0; i < 5; ++i) {
    for (size_t j = i + 1; j < 5; ++j) {
      const ShamirShare* pick[] = {&shares[i], &shares[j]};
      ShareValue out;
      ASSERT_TRUE(ShamirCombine(&out, pick).ok());  // interpolation runs...
      EXPECT_FALSE(out.Equals(secret)) << i << "," << j;  // ...to a wrong value
    }
  }
}

// With M = 2 one share says nothing: for a fixed share index, as the random
// coefficient runs over all 256 values the share byte takes all 256 values,
// whatever the secret byte is. So every secret is equally consistent with it.
TEST(Shamir, OneShareOfTwoIsUniformForEverySecret) {
  for (uint8_t secret_byte : {uint8_t{0x00}, uint8_t{0x5a}, uint8_t{0xff}}) {
    ShareValue secret;
    std::array<uint8_t, kSecretSize> sb{};
    sb[0] = secret_byte;
    ASSERT_TRUE(secret.Assign(sb).ok());
    for (size_t index = 1; index <= 3; ++index) {
      std::set<uint8_t> seen;
      for (int c = 0; c < 256; ++c) {
        std::array<ShamirShare, 3> shares;
        std::array<uint8_t, kSecretSize> random{};
        random[0] = static_cast<uint8_t>(c);
        ASSERT_TRUE(ShamirSplit(shares, secret, 2, random).ok());
        seen.insert(shares[index - 1].value.View(kAccess)[0]);
      }
      EXPECT_EQ(seen.size(), 256u);
    }
  }
}

TEST(Shamir, RejectsBadParametersAndClearsOutput) {
  const ShareValue secret = MakeSecret(1);
  std::array<ShamirShare, 17> shares;
  const auto random = Random(CoefficientBytes(3), 1);
  EXPECT_EQ(ShamirSplit(std::span(shares.data(), 17), secret, 3, random).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ShamirSplit(std::span(shares.data(), 2), secret, 3, random).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ShamirSplit(std::span(shares.data(), 5), secret, 1, ByteSpan()).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ShamirSplit(std::span(shares.data(), 5), secret, 3, ByteSpan(random).first(10))
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(shares[0].value.empty());
  EXPECT_EQ(shares[0].index, 0);
  EXPECT_EQ(CheckSplitParameters(3, 5).code(), StatusCode::kOk);
  EXPECT_EQ(CheckSplitParameters(16, 16).code(), StatusCode::kOk);
}

TEST(Shamir, CombineRejectsRepeatedOrZeroIndex) {
  const ShareValue secret = MakeSecret(2);
  auto shares = Split(secret, 2, 3, 2);
  ShareValue out;
  const ShamirShare* dup[] = {&shares[0], &shares[0]};
  EXPECT_EQ(ShamirCombine(&out, dup).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
  ShamirShare zero;
  ASSERT_TRUE(zero.value.Assign(shares[1].value.View(kAccess)).ok());
  const ShamirShare* bad[] = {&shares[0], &zero};
  EXPECT_EQ(ShamirCombine(&out, bad).code(), StatusCode::kInvalidArgument);
  const ShamirShare* one[] = {&shares[0]};
  EXPECT_EQ(ShamirCombine(&out, one).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::appliance::custody
