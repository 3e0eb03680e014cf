#include "mechanisms.h"

#include <gtest/gtest.h>

#include <openssl/ecdsa.h>

#include "common/ossl.h"

namespace pki::signer::internal {
namespace {

TEST(MechanismsTest, WrongDigestLengthIsInvalidArgument) {
  uint8_t digest[48] = {};
  StatusOr<SignPlan> plan = PlanSignature(SignAlgorithm::kEcdsaP256Sha256, ByteSpan(digest, 48));
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(plan.status().message().find("want 32"), std::string_view::npos);
  EXPECT_FALSE(PlanSignature(SignAlgorithm::kUnspecified, ByteSpan(digest, 32)).ok());
  EXPECT_FALSE(PlanSignature(SignAlgorithm::kEd25519, ByteSpan()).ok());
}

TEST(MechanismsTest, RsaPkcs1PrependsDigestInfo) {
  uint8_t digest[32];
  for (int i = 0; i < 32; ++i) digest[i] = static_cast<uint8_t>(i);
  StatusOr<SignPlan> plan = PlanSignature(SignAlgorithm::kRsaPkcs1Sha256, ByteSpan(digest));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->mechanism, static_cast<CK_MECHANISM_TYPE>(CKM_RSA_PKCS));
  ASSERT_EQ(plan->data.size(), 19u + 32u);
  EXPECT_EQ(static_cast<uint8_t>(plan->data[0]), 0x30);
  EXPECT_EQ(static_cast<uint8_t>(plan->data[1]), 0x31);  // SEQUENCE of 49 bytes
  EXPECT_EQ(plan->data.substr(19), std::string(reinterpret_cast<char*>(digest), 32));
}

TEST(MechanismsTest, PssUsesHashLengthSaltAndSameMgf) {
  uint8_t digest[64] = {};
  StatusOr<SignPlan> plan = PlanSignature(SignAlgorithm::kRsaPssSha512, ByteSpan(digest));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->mechanism, static_cast<CK_MECHANISM_TYPE>(CKM_RSA_PKCS_PSS));
  EXPECT_EQ(plan->pss.hashAlg, static_cast<CK_MECHANISM_TYPE>(CKM_SHA512));
  EXPECT_EQ(plan->pss.mgf, static_cast<CK_RSA_PKCS_MGF_TYPE>(CKG_MGF1_SHA512));
  EXPECT_EQ(plan->pss.sLen, 64u);
  CK_MECHANISM m = plan->Mechanism();
  EXPECT_EQ(m.ulParameterLen, sizeof(CK_RSA_PKCS_PSS_PARAMS));
}

TEST(MechanismsTest, EcdsaRawBecomesDer) {
  std::string raw(64, '\0');
  raw[31] = 5;   // r = 5
  raw[0] = '\x80';  // r has its top bit set: needs a leading zero in DER
  raw[63] = 7;   // s = 7
  StatusOr<std::string> der = EcdsaRawToDer(AsBytes(raw));
  ASSERT_TRUE(der.ok());
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  OsslPtr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der->size())));
  ASSERT_TRUE(sig);
  EXPECT_EQ(BN_get_word(ECDSA_SIG_get0_s(sig.get())), 7u);
  EXPECT_EQ(BN_num_bytes(ECDSA_SIG_get0_r(sig.get())), 32);
  EXPECT_FALSE(EcdsaRawToDer(AsBytes(std::string(63, 'a'))).ok());
}

TEST(MechanismsTest, AlgorithmsPerKeyKind) {
  EXPECT_EQ(AlgorithmsFor(KeyKind::kEcP384), std::vector<SignAlgorithm>{SignAlgorithm::kEcdsaP384Sha384});
  EXPECT_EQ(AlgorithmsFor(KeyKind::kRsa).size(), 6u);
  EXPECT_EQ(MechanismFor(SignAlgorithm::kEd25519), static_cast<CK_MECHANISM_TYPE>(CKM_EDDSA));
}

}  // namespace
}  // namespace pki::signer::internal
