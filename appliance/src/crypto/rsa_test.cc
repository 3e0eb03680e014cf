// RSA key generation is slow on mbedTLS (seconds), so it has its own binary
// labelled `slow`.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>

#include "crypto/heap.h"
#include "crypto/keypair.h"
#include "crypto/signature.h"
#include "crypto/test_entropy.h"

namespace pki::appliance::crypto {
namespace {

TEST(RsaTest, Rsa3072GeneratesWithE65537SignsAndRoundTrips) {
  testing::SeededEntropy entropy(41);
  std::optional<Drbg> drbg;
  ASSERT_TRUE(Drbg::Create(entropy, AsBytes("rsa-test"), drbg).ok());
  StatusOr<KeyPair> key = KeyPair::Generate(KeyAlgorithm::kRsa3072, *drbg);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(mbedtls_pk_get_bitlen(key->native()), 3072u);
  mbedtls_mpi e;
  mbedtls_mpi_init(&e);
  ASSERT_EQ(mbedtls_rsa_export(mbedtls_pk_rsa(*key->native()), nullptr, nullptr, nullptr, nullptr, &e), 0);
  EXPECT_EQ(mbedtls_mpi_cmp_int(&e, 65537), 0);
  mbedtls_mpi_free(&e);

  std::array<uint8_t, kMaxSignatureSize> sig{};
  StatusOr<size_t> n = Sign(*key, *drbg, HashAlg::kSha256, AsBytes("m"), sig);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 384u);
  PrivateKeyDer der;
  ASSERT_TRUE(key->SerializePrivate(der).ok());
  StatusOr<KeyPair> back = KeyPair::FromPrivateDer(der.View(SecretAccess::Grant()));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->algorithm(), KeyAlgorithm::kRsa3072);
  EXPECT_TRUE(VerifyWithKeyPair(*back, HashAlg::kSha256, AsBytes("m"), ByteSpan(sig.data(), *n)).ok());
}

// RSA-4096 key generation is the largest pool user; it must fit.
TEST(RsaTest, Rsa4096KeygenFitsThePool) {
  testing::SeededEntropy entropy(43);
  std::optional<Drbg> drbg;
  ASSERT_TRUE(Drbg::Create(entropy, AsBytes("rsa4096-test"), drbg).ok());
  const PoolUsage before = GetPoolUsage();
  ResetPoolPeak();
  const auto t0 = std::chrono::steady_clock::now();
  {
    StatusOr<KeyPair> key = KeyPair::Generate(KeyAlgorithm::kRsa4096, *drbg);
    ASSERT_TRUE(key.ok()) << key.status().message();
    std::array<uint8_t, kMaxSignatureSize> sig{};
    StatusOr<size_t> n = Sign(*key, *drbg, HashAlg::kSha384, AsBytes("m"), sig);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 512u);
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const PoolUsage after = GetPoolUsage();
  const size_t with_headers = after.peak_bytes + after.peak_blocks * kBlockHeaderBytes;
  std::printf("POOL RSA-4096 keygen+sign peak %zu B in %zu blocks (incl. headers %zu of %zu B) %.1f ms\n",
              after.peak_bytes - before.current_bytes, after.peak_blocks - before.current_blocks, with_headers,
              kPoolSize, ms);
  EXPECT_LE(with_headers, kPoolSize);
  EXPECT_EQ(after.current_bytes, before.current_bytes);
  EXPECT_TRUE(CheckPool().ok());
}

}  // namespace
}  // namespace pki::appliance::crypto
