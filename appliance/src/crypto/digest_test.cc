#include "crypto/digest.h"

#include <gtest/gtest.h>

#include "crypto/test_util.h"

namespace pki::appliance::crypto {
namespace {

using testing::ToHex;

// FIPS 180-2 "abc" vectors.
TEST(DigestTest, KnownAnswers) {
  EXPECT_EQ(ToHex(Sha256(AsBytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  uint8_t out[kMaxDigestSize];
  StatusOr<size_t> n = Digest(HashAlg::kSha384, AsBytes("abc"), out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(ToHex(ByteSpan(out, *n)),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  n = Digest(HashAlg::kSha512, AsBytes("abc"), out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(ToHex(ByteSpan(out, *n)),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(DigestTest, PartsAndStreamingEqualOneShot) {
  const ByteSpan parts[] = {AsBytes("a"), AsBytes(""), AsBytes("bc")};
  EXPECT_EQ(Sha256Parts(parts), Sha256(AsBytes("abc")));
  Hasher h(HashAlg::kSha384);
  h.Update(AsBytes("ab"));
  Hasher moved(std::move(h));
  moved.Update(AsBytes("c"));
  uint8_t a[48], b[48];
  ASSERT_TRUE(moved.Finish(a).ok());
  ASSERT_TRUE(Digest(HashAlg::kSha384, AsBytes("abc"), b).ok());
  EXPECT_EQ(ToHex(a), ToHex(b));
  // After Finish the hasher starts over.
  moved.Update(AsBytes("abc"));
  ASSERT_TRUE(moved.Finish(a).ok());
  EXPECT_EQ(ToHex(a), ToHex(b));
}

TEST(DigestTest, ShortOutputIsOutOfRangeAndWritesNothing) {
  uint8_t out[47] = {};
  StatusOr<size_t> n = Digest(HashAlg::kSha384, AsBytes("abc"), out);
  EXPECT_EQ(n.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(ToHex(ByteSpan(out, 4)), "00000000");
}

}  // namespace
}  // namespace pki::appliance::crypto
