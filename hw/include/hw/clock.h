// clock.h — the appliance's clocks (an RTC and a tick counter on a board).
//
// The HAL only reads clocks. The wall clock is not trusted: the device keeps a
// monotonic lower bound persisted in storage, lets a ceremony move it forward
// (SetTime) and never backwards, and refuses to sign with a wall time below
// that bound. That policy lives in the device, not here.
#ifndef PKI_HW_CLOCK_H_
#define PKI_HW_CLOCK_H_

#include <cstdint>

#include "base/status_or.h"

namespace pki::hw {

class Clock {
 public:
  virtual ~Clock() = default;

  // NowUnixSeconds returns the wall clock in seconds since 1970-01-01 UTC.
  // UNAVAILABLE if the clock is not running or lost power (an RTC without
  // battery); the caller must not guess a time then.
  [[nodiscard]] virtual StatusOr<int64_t> NowUnixSeconds() = 0;

  // MonotonicMillis returns milliseconds since an arbitrary start (boot); it
  // never goes backwards and never fails. For timeouts only, not for dates.
  virtual uint64_t MonotonicMillis() = 0;
};

}  // namespace pki::hw

#endif  // PKI_HW_CLOCK_H_
