#include "hw/host/system_clock.h"

#include <gtest/gtest.h>

#include <ctime>
#include <thread>

namespace pki::hw::host {
namespace {

TEST(SystemClock, WallClockMatchesTimeAndMonotonicAdvances) {
  SystemClock clock;
  StatusOr<int64_t> now = clock.NowUnixSeconds();
  ASSERT_TRUE(now.ok());
  int64_t libc_now = static_cast<int64_t>(std::time(nullptr));
  EXPECT_LE(std::abs(*now - libc_now), 2);
  uint64_t a = clock.MonotonicMillis();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  uint64_t b = clock.MonotonicMillis();
  EXPECT_GE(b - a, 15u);
}

}  // namespace
}  // namespace pki::hw::host
