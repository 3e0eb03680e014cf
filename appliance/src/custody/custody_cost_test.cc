// Figures, not a unit test (label "slow"): the cost of one share wrap and
// unwrap at the production PBKDF2 count, and the RAM the core objects take.
// Run: ctest --test-dir build/<dir> -L slow -R CustodyCost --verbose
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <optional>

#include "crypto/test_entropy.h"
#include "custody/commitment.h"
#include "custody/custody.h"
#include "custody/share.h"

namespace pki::appliance::custody {
namespace {

TEST(CustodyCost, WrapAndUnwrapAtTheProductionCount) {
  crypto::testing::SeededEntropy entropy(5);
  std::optional<crypto::Drbg> drbg;
  ASSERT_TRUE(crypto::Drbg::Create(entropy, AsBytes("cost"), drbg).ok());
  ApplianceId id;
  ASSERT_TRUE(id.Set(AsBytes("appliance")).ok());
  ShareHeader h;
  h.index = 1;
  h.threshold = kDefaultThreshold;
  h.count = kDefaultCount;
  ASSERT_TRUE(h.name.Set("alice").ok());
  h.iterations = kDefaultShareIterations;
  ShareValue value;
  std::array<uint8_t, kKekSize> v{};
  ASSERT_TRUE(value.Assign(v).ok());
  std::array<uint8_t, kMaxWrappedShareSize> buf{};
  const auto t0 = std::chrono::steady_clock::now();
  auto n = WrapShare(*drbg, id, h, value, AsBytes("a long enough passphrase"), buf);
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(n.ok());
  ParsedShare parsed;
  ASSERT_TRUE(ParseWrappedShare(ByteSpan(buf.data(), *n), &parsed).ok());
  ShareValue back;
  ASSERT_TRUE(UnwrapShare(parsed, id, AsBytes("a long enough passphrase"), &back).ok());
  const auto t2 = std::chrono::steady_clock::now();
  EXPECT_TRUE(back.Equals(value));
  using ms = std::chrono::milliseconds;
  std::printf("share bytes (name 'alice'): %zu\n", *n);
  std::printf("wrap at %u PBKDF2 iterations: %lld ms\n", kDefaultShareIterations,
              static_cast<long long>(std::chrono::duration_cast<ms>(t1 - t0).count()));
  std::printf("unwrap at %u PBKDF2 iterations: %lld ms\n", kDefaultShareIterations,
              static_cast<long long>(std::chrono::duration_cast<ms>(t2 - t1).count()));
  std::printf("sizeof: Custody %zu, QuorumAssembler %zu, SplitInfo %zu\n", sizeof(Custody),
              sizeof(QuorumAssembler), sizeof(SplitInfo));
}

}  // namespace
}  // namespace pki::appliance::custody
