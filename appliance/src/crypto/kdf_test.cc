#include "crypto/kdf.h"

#include <gtest/gtest.h>

#include <array>

#include "crypto/test_util.h"

namespace pki::appliance::crypto {
namespace {

using testing::FromHex;
using testing::ToHex;

// RFC 7914 section 11, PBKDF2-HMAC-SHA256 vectors.
TEST(KdfTest, Pbkdf2Rfc7914) {
  std::array<uint8_t, 64> out{};
  ASSERT_TRUE(Pbkdf2HmacSha256(AsBytes("passwd"), AsBytes("salt"), 1, out).ok());
  EXPECT_EQ(ToHex(out),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  ASSERT_TRUE(Pbkdf2HmacSha256(AsBytes("Password"), AsBytes("NaCl"), 80000, out).ok());
  EXPECT_EQ(ToHex(out),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

TEST(KdfTest, Pbkdf2RejectsBadInputWithClearErrors) {
  std::array<uint8_t, 32> out{};
  EXPECT_EQ(Pbkdf2HmacSha256(AsBytes("pw"), AsBytes("salt"), 0, out).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Pbkdf2HmacSha256({}, AsBytes("salt"), 1, out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Pbkdf2HmacSha256(AsBytes("pw"), {}, 1, out).code(), StatusCode::kInvalidArgument);
  std::array<uint8_t, 65> too_long{};
  EXPECT_EQ(Pbkdf2HmacSha256(AsBytes("pw"), AsBytes("salt"), 1, too_long).code(), StatusCode::kInvalidArgument);
}

TEST(KdfTest, TestBuildAllowsShortCountsProductionMinimumIsDocumented) {
  EXPECT_EQ(MinPbkdf2Iterations(), PKI_PRODUCTION_BUILD ? kMinProductionPbkdf2Iterations : 1u);
  EXPECT_EQ(kMinProductionPbkdf2Iterations, 600000u);
}

// RFC 5869 test case 1.
TEST(KdfTest, HkdfRfc5869Case1) {
  const std::vector<uint8_t> ikm(22, 0x0b);
  const auto salt = FromHex("000102030405060708090a0b0c");
  const auto info = FromHex("f0f1f2f3f4f5f6f7f8f9");
  std::array<uint8_t, 42> out{};
  ASSERT_TRUE(HkdfSha256(ikm, salt, info, out).ok());
  EXPECT_EQ(ToHex(out),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  EXPECT_EQ(HkdfSha256({}, salt, info, out).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::appliance::crypto
