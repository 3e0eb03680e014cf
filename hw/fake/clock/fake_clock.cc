#include "hw/fake/fake_clock.h"

namespace pki::hw::fake {

StatusOr<int64_t> FakeClock::NowUnixSeconds() {
  if (wall_failing_) return UnavailableError("fake RTC failure injected");
  return wall_;
}

void FakeClock::AdvanceMillis(uint64_t ms) {
  mono_ms_ += ms;
  sub_second_ms_ += ms;
  wall_ += static_cast<int64_t>(sub_second_ms_ / 1000);
  sub_second_ms_ %= 1000;
}

}  // namespace pki::hw::fake
