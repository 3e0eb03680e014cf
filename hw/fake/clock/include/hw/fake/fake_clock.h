// fake_clock.h — a Clock tests set and advance by hand.
#ifndef PKI_HW_FAKE_FAKE_CLOCK_H_
#define PKI_HW_FAKE_FAKE_CLOCK_H_

#include "hw/clock.h"

namespace pki::hw::fake {

class FakeClock final : public Clock {
 public:
  // Starts at wall time |unix_seconds| and monotonic time 0.
  explicit FakeClock(int64_t unix_seconds = 1'790'000'000) : wall_(unix_seconds) {}

  // UNAVAILABLE while SetWallClockFailing(true).
  [[nodiscard]] StatusOr<int64_t> NowUnixSeconds() override;
  uint64_t MonotonicMillis() override { return mono_ms_; }

  // SetUnixSeconds moves the wall clock anywhere, backwards included (a
  // drifting or tampered RTC); the monotonic clock is untouched.
  void SetUnixSeconds(int64_t s) { wall_ = s; }
  // AdvanceMillis moves both clocks forward (the wall clock by whole seconds
  // as they accumulate).
  void AdvanceMillis(uint64_t ms);
  void SetWallClockFailing(bool failing) { wall_failing_ = failing; }

 private:
  int64_t wall_;
  uint64_t mono_ms_ = 0;
  uint64_t sub_second_ms_ = 0;
  bool wall_failing_ = false;
};

}  // namespace pki::hw::fake

#endif  // PKI_HW_FAKE_FAKE_CLOCK_H_
