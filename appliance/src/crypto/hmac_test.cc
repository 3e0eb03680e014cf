#include "crypto/hmac.h"

#include <gtest/gtest.h>

#include "crypto/test_util.h"

namespace pki::appliance::crypto {
namespace {

using testing::FromHex;
using testing::ToHex;

// RFC 4231 test case 2.
TEST(HmacTest, Rfc4231Case2) {
  uint8_t mac[kHmacSha256Size];
  ASSERT_TRUE(HmacSha256(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"), mac).ok());
  EXPECT_EQ(ToHex(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const ByteSpan parts[] = {AsBytes("what do ya "), AsBytes("want for nothing?")};
  uint8_t mac2[kHmacSha256Size];
  ASSERT_TRUE(HmacSha256Parts(AsBytes("Jefe"), parts, mac2).ok());
  EXPECT_EQ(ToHex(mac2), ToHex(mac));
}

// RFC 4231 test case 6: key longer than the block size.
TEST(HmacTest, Rfc4231Case6LongKey) {
  std::vector<uint8_t> key(131, 0xaa);
  uint8_t mac[kHmacSha256Size];
  ASSERT_TRUE(HmacSha256(key, AsBytes("Test Using Larger Than Block-Size Key - Hash Key First"), mac).ok());
  EXPECT_EQ(ToHex(mac), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacTest, VerifyAcceptsGoodTagRejectsBadOnes) {
  uint8_t mac[kHmacSha256Size];
  ASSERT_TRUE(HmacSha256(AsBytes("k"), AsBytes("msg"), mac).ok());
  EXPECT_TRUE(VerifyHmacSha256(AsBytes("k"), AsBytes("msg"), mac).ok());
  mac[31] ^= 1;
  EXPECT_EQ(VerifyHmacSha256(AsBytes("k"), AsBytes("msg"), mac).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(VerifyHmacSha256(AsBytes("k"), AsBytes("msg"), ByteSpan(mac, 16)).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(HmacSha256({}, AsBytes("msg"), mac).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::appliance::crypto
