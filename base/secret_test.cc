#include "base/secret.h"

#include <gtest/gtest.h>

#include <new>

namespace pki {
namespace {

constexpr uint8_t kKey[] = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};

TEST(SecretArray, DestructorZeroizesTheStorage) {
  // Construct in a buffer we own, destroy, and look at the bytes left behind.
  alignas(SecretArray<16>) unsigned char raw[sizeof(SecretArray<16>)];
  auto* s = new (raw) SecretArray<16>();
  ASSERT_TRUE(s->Assign(kKey).ok());
  bool found_before = false;
  for (size_t i = 0; i + 1 < sizeof(raw); ++i) found_before |= (raw[i] == 0xde && raw[i + 1] == 0xad);
  ASSERT_TRUE(found_before) << "the secret should be stored inline";
  s->~SecretArray<16>();
  for (unsigned char c : raw) EXPECT_EQ(c, 0) << "a byte survived destruction";
}

TEST(SecretArray, MoveWipesTheSource) {
  SecretArray<16> a;
  ASSERT_TRUE(a.Assign(kKey).ok());
  SecretArray<16> b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the point of the test
  for (uint8_t c : a.Mutable(SecretAccess::Grant())) EXPECT_EQ(c, 0);
  ASSERT_EQ(b.size(), sizeof(kKey));
  EXPECT_EQ(b.View(SecretAccess::Grant())[0], 0xde);
}

TEST(SecretArray, RefusesMoreThanItsCapacityAndKeepsOldValue) {
  SecretArray<4> s;
  ASSERT_TRUE(s.Assign(ByteSpan(kKey, 4)).ok());
  Status st = s.Assign(kKey);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s.View(SecretAccess::Grant())[3], 0xef);
}

TEST(SecretArray, ResizeDownWipesTheTail) {
  SecretArray<8> s;
  ASSERT_TRUE(s.Assign(kKey).ok());
  ASSERT_TRUE(s.Resize(2).ok());
  ASSERT_TRUE(s.Resize(8).ok());
  auto v = s.View(SecretAccess::Grant());
  EXPECT_EQ(v[1], 0xad);
  for (size_t i = 2; i < 8; ++i) EXPECT_EQ(v[i], 0) << i;
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  uint8_t a[] = {1, 2, 3};
  uint8_t b[] = {1, 2, 3};
  uint8_t c[] = {1, 2, 4};
  EXPECT_TRUE(ConstantTimeEqual(a, b));
  EXPECT_FALSE(ConstantTimeEqual(a, c));
  EXPECT_FALSE(ConstantTimeEqual(ByteSpan(a, 2), b));
  SecretArray<8> x, y;
  ASSERT_TRUE(x.Assign(a).ok());
  ASSERT_TRUE(y.Assign(c).ok());
  EXPECT_FALSE(x.Equals(y));
}

TEST(ScopedWipe, WipesAtScopeEnd) {
  uint8_t buf[8] = {9, 9, 9, 9, 9, 9, 9, 9};
  { ScopedWipe wipe(buf); }
  for (uint8_t c : buf) EXPECT_EQ(c, 0);
}

}  // namespace
}  // namespace pki
