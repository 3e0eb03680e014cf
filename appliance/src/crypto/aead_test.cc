#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <array>

#include "crypto/test_entropy.h"
#include "crypto/test_util.h"

namespace pki::appliance::crypto {
namespace {

using testing::FromHex;
using testing::ToHex;

AeadKey KeyOf(uint8_t fill) {
  std::array<uint8_t, 32> raw{};
  raw.fill(fill);
  AeadKey key;
  PKI_CHECK(key.Assign(raw).ok());
  return key;
}

// GCM specification (McGrew/Viega) test case 14: AES-256, zero key, zero IV,
// one zero block.
TEST(AeadTest, GcmSpecTestCase14) {
  AeadKey key = KeyOf(0);
  const std::vector<uint8_t> nonce(12, 0), pt(16, 0);
  std::array<uint8_t, 16 + kAeadOverhead> out{};
  StatusOr<size_t> n = AeadSealWithNonce(key, nonce, {}, pt, out);
  ASSERT_TRUE(n.ok()) << n.status().message();
  ASSERT_EQ(*n, out.size());
  EXPECT_EQ(ToHex(ByteSpan(out).subspan(12, 16)), "cea7403d4d606b6e074ec5d3baf39d18");
  EXPECT_EQ(ToHex(ByteSpan(out).subspan(28, 16)), "d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(AeadTest, RoundTripWithAadAndTamperDetection) {
  testing::SeededEntropy e(11);
  std::optional<Drbg> drbg;
  ASSERT_TRUE(Drbg::Create(e, {}, drbg).ok());
  AeadKey key = KeyOf(0x42);
  const ByteSpan pt = AsBytes("custodian share 3 of 5");
  std::array<uint8_t, 64> sealed{};
  StatusOr<size_t> n = AeadSeal(key, *drbg, AsBytes("share-3"), pt, sealed);
  ASSERT_TRUE(n.ok());
  std::array<uint8_t, 64> plain{};
  StatusOr<size_t> m = AeadOpen(key, AsBytes("share-3"), ByteSpan(sealed.data(), *n), plain);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(AsChars(ByteSpan(plain.data(), *m)), AsChars(pt));

  // Wrong AAD, wrong key, flipped ciphertext bit: all PERMISSION_DENIED, output wiped.
  EXPECT_EQ(AeadOpen(key, AsBytes("share-4"), ByteSpan(sealed.data(), *n), plain).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(plain, (std::array<uint8_t, 64>{}));
  EXPECT_EQ(AeadOpen(KeyOf(0x43), AsBytes("share-3"), ByteSpan(sealed.data(), *n), plain).status().code(),
            StatusCode::kPermissionDenied);
  sealed[14] ^= 0x01;
  EXPECT_EQ(AeadOpen(key, AsBytes("share-3"), ByteSpan(sealed.data(), *n), plain).status().code(),
            StatusCode::kPermissionDenied);
}

TEST(AeadTest, FreshNonceEverySeal) {
  testing::SeededEntropy e(12);
  std::optional<Drbg> drbg;
  ASSERT_TRUE(Drbg::Create(e, {}, drbg).ok());
  AeadKey key = KeyOf(1);
  std::array<uint8_t, 40> a{}, b{};
  ASSERT_TRUE(AeadSeal(key, *drbg, {}, AsBytes("same"), a).ok());
  ASSERT_TRUE(AeadSeal(key, *drbg, {}, AsBytes("same"), b).ok());
  EXPECT_NE(ToHex(ByteSpan(a).first(12)), ToHex(ByteSpan(b).first(12)));
}

TEST(AeadTest, BadSizesAreClearErrors) {
  AeadKey short_key;
  ASSERT_TRUE(short_key.Assign(AsBytes("short")).ok());
  std::array<uint8_t, 64> out{};
  const std::vector<uint8_t> nonce(12, 0);
  EXPECT_EQ(AeadSealWithNonce(short_key, nonce, {}, AsBytes("x"), out).status().code(),
            StatusCode::kInvalidArgument);
  AeadKey key = KeyOf(2);
  EXPECT_EQ(AeadSealWithNonce(key, ByteSpan(nonce).first(8), {}, AsBytes("x"), out).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(AeadSealWithNonce(key, nonce, {}, AsBytes("x"), MutableByteSpan(out).first(28)).status().code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(AeadOpen(key, {}, ByteSpan(out).first(27), out).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::appliance::crypto
