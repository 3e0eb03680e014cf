#include "crypto/heap.h"

#include <gtest/gtest.h>

#include <optional>

#include "crypto/drbg.h"
#include "crypto/keypair.h"
#include "crypto/test_entropy.h"
#include "mbedtls/platform.h"

namespace pki::appliance::crypto {
namespace {

TEST(PoolTest, MbedtlsAllocatesFromThePoolAndFreesEverything) {
  InitPool();
  const PoolUsage before = GetPoolUsage();
  EXPECT_EQ(before.capacity, kPoolSize);
  void* p = mbedtls_calloc(1, 1000);
  ASSERT_NE(p, nullptr);
  // The pointer lies inside the static pool, not on the libc heap.
  const PoolUsage during = GetPoolUsage();
  EXPECT_EQ(during.current_bytes, before.current_bytes + 1000);
  EXPECT_EQ(during.current_blocks, before.current_blocks + 1);
  mbedtls_free(p);
  EXPECT_EQ(GetPoolUsage().current_bytes, before.current_bytes);
  EXPECT_TRUE(CheckPool().ok());
}

TEST(PoolTest, ExhaustionIsAnErrorNotACrash) {
  InitPool();
  void* p = mbedtls_calloc(1, kPoolSize + 1);
  EXPECT_EQ(p, nullptr);
  EXPECT_TRUE(CheckPool().ok());
}

TEST(PoolTest, PeakMeasuresOneOperationAndKeysReturnTheirMemory) {
  testing::SeededEntropy entropy(7);
  std::optional<Drbg> drbg;
  ASSERT_TRUE(Drbg::Create(entropy, AsBytes("pool-test"), drbg).ok());
  const size_t base = GetPoolUsage().current_bytes;
  ResetPoolPeak();
  {
    StatusOr<KeyPair> key = KeyPair::Generate(KeyAlgorithm::kEcP384, *drbg);
    ASSERT_TRUE(key.ok()) << key.status().message();
    const PoolUsage u = GetPoolUsage();
    EXPECT_GT(u.peak_bytes, u.current_bytes);  // keygen's temporaries were freed
    EXPECT_GT(u.current_bytes, base);          // the key itself lives in the pool
    EXPECT_LE(u.peak_bytes + u.peak_blocks * kBlockHeaderBytes, kPoolSize);
  }
  EXPECT_EQ(GetPoolUsage().current_bytes, base);  // no leak
  EXPECT_TRUE(CheckPool().ok());
}

}  // namespace
}  // namespace pki::appliance::crypto
