#include "crypto/keypair.h"

#include <gtest/gtest.h>

#include <array>

#include "crypto/heap.h"
#include "crypto/signature.h"
#include "crypto/test_entropy.h"
#include "crypto/test_util.h"

namespace pki::appliance::crypto {
namespace {

class KeyPairTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Drbg::Create(entropy_, AsBytes("keypair-test"), drbg_).ok()); }
  testing::SeededEntropy entropy_{21};
  std::optional<Drbg> drbg_;
};

TEST_F(KeyPairTest, EcKeysGenerateExportAndRoundTrip) {
  for (KeyAlgorithm alg : {KeyAlgorithm::kEcP384, KeyAlgorithm::kEcP256}) {
    StatusOr<KeyPair> key = KeyPair::Generate(alg, *drbg_);
    ASSERT_TRUE(key.ok()) << key.status().message();
    EXPECT_EQ(key->algorithm(), alg);

    std::array<uint8_t, kMaxSpkiDer> spki{};
    StatusOr<size_t> n = key->WriteSpki(spki);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, alg == KeyAlgorithm::kEcP384 ? 120u : 91u);  // DER SPKI sizes for named curves
    StatusOr<PublicKey> pub = PublicKey::FromSpki(ByteSpan(spki.data(), *n));
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(pub->algorithm(), alg);

    PrivateKeyDer der;
    ASSERT_TRUE(key->SerializePrivate(der).ok());
    EXPECT_GT(der.size(), 100u);
    StatusOr<KeyPair> back = KeyPair::FromPrivateDer(der.View(SecretAccess::Grant()));
    ASSERT_TRUE(back.ok()) << back.status().message();
    std::array<uint8_t, kMaxSpkiDer> spki2{};
    StatusOr<size_t> n2 = back->WriteSpki(spki2);
    ASSERT_TRUE(n2.ok());
    EXPECT_EQ(testing::ToHex(ByteSpan(spki.data(), *n)), testing::ToHex(ByteSpan(spki2.data(), *n2)));

    // The parsed key signs what the original verifies.
    std::array<uint8_t, kMaxSignatureSize> sig{};
    StatusOr<size_t> s = Sign(*back, *drbg_, DefaultHashFor(alg), AsBytes("m"), sig);
    ASSERT_TRUE(s.ok());
    EXPECT_TRUE(VerifyWithKeyPair(*key, DefaultHashFor(alg), AsBytes("m"), ByteSpan(sig.data(), *s)).ok());
  }
}

TEST_F(KeyPairTest, MovedFromKeyIsEmptyAndPoolIsReleased) {
  const size_t base = GetPoolUsage().current_bytes;
  {
    StatusOr<KeyPair> key = KeyPair::Generate(KeyAlgorithm::kEcP256, *drbg_);
    ASSERT_TRUE(key.ok());
    KeyPair moved = std::move(key).value();
    std::array<uint8_t, kMaxSpkiDer> spki{};
    EXPECT_TRUE(moved.WriteSpki(spki).ok());
  }
  EXPECT_EQ(GetPoolUsage().current_bytes, base);
}

TEST_F(KeyPairTest, GarbageAndTamperedPrivateKeysAreRejected) {
  const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
  EXPECT_EQ(KeyPair::FromPrivateDer(junk).status().code(), StatusCode::kInvalidArgument);
  StatusOr<KeyPair> key = KeyPair::Generate(KeyAlgorithm::kEcP256, *drbg_);
  ASSERT_TRUE(key.ok());
  PrivateKeyDer der;
  ASSERT_TRUE(key->SerializePrivate(der).ok());
  // Flip a bit of the private scalar (ECPrivateKey: 30 77 02 01 01 04 20 <d>):
  // the embedded public point no longer matches.
  der.Mutable(SecretAccess::Grant())[10] ^= 0x01;
  StatusOr<KeyPair> bad = KeyPair::FromPrivateDer(der.View(SecretAccess::Grant()));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(KeyPairTest, Rsa2048IsNeverGenerated) {
  EXPECT_EQ(KeyPair::Generate(KeyAlgorithm::kRsa2048, *drbg_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(KeyPairTest, SpkiWithOffCurvePointIsRejected) {
  StatusOr<KeyPair> key = KeyPair::Generate(KeyAlgorithm::kEcP256, *drbg_);
  ASSERT_TRUE(key.ok());
  std::array<uint8_t, kMaxSpkiDer> spki{};
  StatusOr<size_t> n = key->WriteSpki(spki);
  ASSERT_TRUE(n.ok());
  spki[*n - 1] ^= 0x01;  // last byte of Y
  StatusOr<PublicKey> pub = PublicKey::FromSpki(ByteSpan(spki.data(), *n));
  EXPECT_EQ(pub.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::appliance::crypto
