#include "base/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/status_or.h"

namespace pki {
namespace {

TEST(Status, OkByDefaultWithEmptyMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_TRUE(s.message().empty());
}

TEST(Status, CarriesCodeAndMessage) {
  Status s = InvalidArgumentError("share ");
  s.Append("alice").Append(": index ").AppendNumber(17);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "share alice: index 17");
  EXPECT_STREQ(StatusCodeName(s.code()), "INVALID_ARGUMENT");
}

TEST(Status, TruncatesLongMessagesInsteadOfFailing) {
  std::string longer(500, 'x');
  Status s = InternalError(longer);
  EXPECT_EQ(s.message().size(), Status::kMaxMessage);
  s.Append("more");
  EXPECT_EQ(s.message().size(), Status::kMaxMessage);
}

TEST(Status, NumbersFormatAtTheEdges) {
  EXPECT_EQ(InternalError("").AppendNumber(0).message(), "0");
  EXPECT_EQ(InternalError("").AppendNumber(UINT64_MAX).message(), "18446744073709551615");
}

StatusOr<int> Half(int v) {
  if (v % 2 != 0) return InvalidArgumentError("odd");
  return v / 2;
}

Status UseHalf(int v, int* out) {
  PKI_ASSIGN_OR_RETURN(*out, Half(v));
  return OkStatus();
}

TEST(StatusOr, HoldsValueOrError) {
  auto good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  auto bad = Half(3);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "odd");
  int out = -1;
  EXPECT_EQ(UseHalf(3, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out, -1);
  EXPECT_TRUE(UseHalf(10, &out).ok());
  EXPECT_EQ(out, 5);
}

TEST(StatusOr, MovesOwnedValues) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(42);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> taken = std::move(p).value();
  EXPECT_EQ(*taken, 42);
}

TEST(StatusOrDeathTest, ValueOfErrorPanics) {
  auto bad = Half(1);
  EXPECT_DEATH((void)bad.value(), "value\\(\\) of an error");
}

TEST(StatusOrDeathTest, ConstructionFromOkPanics) {
  EXPECT_DEATH({ StatusOr<int> s(OkStatus()); (void)s; }, "OK status");
}

}  // namespace
}  // namespace pki
