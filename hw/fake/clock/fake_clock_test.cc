#include "hw/fake/fake_clock.h"

#include <gtest/gtest.h>

namespace pki::hw::fake {
namespace {

TEST(FakeClock, AdvancesBothClocksAndInjectsFailure) {
  FakeClock c(1000);
  EXPECT_EQ(*c.NowUnixSeconds(), 1000);
  c.AdvanceMillis(1500);
  EXPECT_EQ(c.MonotonicMillis(), 1500u);
  EXPECT_EQ(*c.NowUnixSeconds(), 1001);
  c.AdvanceMillis(500);
  EXPECT_EQ(*c.NowUnixSeconds(), 1002);
  c.SetUnixSeconds(10);
  EXPECT_EQ(*c.NowUnixSeconds(), 10);
  EXPECT_EQ(c.MonotonicMillis(), 2000u);
  c.SetWallClockFailing(true);
  EXPECT_EQ(c.NowUnixSeconds().status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pki::hw::fake
