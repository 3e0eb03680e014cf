#include "crypto/signature.h"

#include <gtest/gtest.h>

#include <array>

#include "crypto/test_entropy.h"
#include "crypto/test_util.h"

namespace pki::appliance::crypto {
namespace {

class SignatureTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Drbg::Create(entropy_, AsBytes("sig-test"), drbg_).ok()); }
  testing::SeededEntropy entropy_{31};
  std::optional<Drbg> drbg_;
};

TEST_F(SignatureTest, SignVerifyAndRejectTampering) {
  StatusOr<KeyPair> key = KeyPair::Generate(KeyAlgorithm::kEcP384, *drbg_);
  ASSERT_TRUE(key.ok());
  StatusOr<PublicKey> pub = key->Public();
  ASSERT_TRUE(pub.ok());
  std::array<uint8_t, kMaxSignatureSize> sig{};
  StatusOr<size_t> n = Sign(*key, *drbg_, HashAlg::kSha384, AsBytes("journal checkpoint 7"), sig);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_LE(*n, 104u);
  const ByteSpan s(sig.data(), *n);
  EXPECT_TRUE(Verify(*pub, HashAlg::kSha384, AsBytes("journal checkpoint 7"), s).ok());
  EXPECT_EQ(Verify(*pub, HashAlg::kSha384, AsBytes("journal checkpoint 8"), s).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(Verify(*pub, HashAlg::kSha256, AsBytes("journal checkpoint 7"), s).code(),
            StatusCode::kPermissionDenied);
  sig[*n - 3] ^= 0x10;
  EXPECT_EQ(Verify(*pub, HashAlg::kSha384, AsBytes("journal checkpoint 7"), s).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(Verify(*pub, HashAlg::kSha384, AsBytes("journal checkpoint 7"), ByteSpan(sig.data(), 3)).code(),
            StatusCode::kPermissionDenied);
}

TEST_F(SignatureTest, DeterministicEcdsaSameMessageSameSignature) {
  StatusOr<KeyPair> key = KeyPair::Generate(KeyAlgorithm::kEcP256, *drbg_);
  ASSERT_TRUE(key.ok());
  std::array<uint8_t, kMaxSignatureSize> a{}, b{};
  StatusOr<size_t> na = Sign(*key, *drbg_, HashAlg::kSha256, AsBytes("x"), a);
  StatusOr<size_t> nb = Sign(*key, *drbg_, HashAlg::kSha256, AsBytes("x"), b);
  ASSERT_TRUE(na.ok() && nb.ok());
  EXPECT_EQ(testing::ToHex(ByteSpan(a.data(), *na)), testing::ToHex(ByteSpan(b.data(), *nb)));
}

TEST_F(SignatureTest, OutputCapacityIsEnforced) {
  StatusOr<KeyPair> key = KeyPair::Generate(KeyAlgorithm::kEcP384, *drbg_);
  ASSERT_TRUE(key.ok());
  std::array<uint8_t, 40> small{};
  StatusOr<size_t> n = Sign(*key, *drbg_, HashAlg::kSha384, AsBytes("m"), small);
  EXPECT_EQ(n.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(small, (std::array<uint8_t, 40>{}));  // nothing written
  std::array<uint8_t, 20> short_digest{};
  std::array<uint8_t, kMaxSignatureSize> sig{};
  EXPECT_EQ(SignDigest(*key, *drbg_, HashAlg::kSha384, short_digest, sig).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::appliance::crypto
