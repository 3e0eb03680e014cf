// Unit tests for the idempotency store: replay, conflict, in-flight, LRU.
#include "idempotency.h"

#include <gtest/gtest.h>

namespace pki::signer::internal {
namespace {

IssuedCertificate Cert(const std::string& serial) {
  IssuedCertificate c;
  c.serial_hex = serial;
  c.certificate_der = "der-" + serial;
  return c;
}

TEST(IdempotencyStoreTest, ReplayConflictAndInFlight) {
  IdempotencyStore store(8);
  auto first = store.Begin("c\nr1", "fp1");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
  EXPECT_EQ(store.Begin("c\nr1", "fp1").status().code(), StatusCode::kAborted);
  store.Finish("c\nr1", Cert("01"));
  auto again = store.Begin("c\nr1", "fp1");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->serial_hex, "01");
  EXPECT_TRUE((*again)->replayed);
  EXPECT_EQ(store.Begin("c\nr1", "fp2").status().code(), StatusCode::kAlreadyExists);
}

TEST(IdempotencyStoreTest, AbandonLeavesNoState) {
  IdempotencyStore store(8);
  ASSERT_TRUE(store.Begin("k", "fp1").ok());
  store.Abandon("k");
  auto retry = store.Begin("k", "fp2");  // a failed request did not claim the id
  ASSERT_TRUE(retry.ok());
  EXPECT_FALSE(retry->has_value());
  EXPECT_EQ(store.size(), 0u);
}

TEST(IdempotencyStoreTest, EvictsLeastRecentlyUsed) {
  IdempotencyStore store(2);
  for (const char* k : {"a", "b"}) {
    ASSERT_TRUE(store.Begin(k, "fp").ok());
    store.Finish(k, Cert(k));
  }
  ASSERT_TRUE(store.Begin("a", "fp").ok());  // touch a: b is now the oldest
  ASSERT_TRUE(store.Begin("c", "fp").ok());
  store.Finish("c", Cert("c"));
  EXPECT_EQ(store.size(), 2u);
  auto b = store.Begin("b", "other");  // evicted: a new claim, not a conflict
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->has_value());
  auto a = store.Begin("a", "fp");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->has_value());
}

}  // namespace
}  // namespace pki::signer::internal
