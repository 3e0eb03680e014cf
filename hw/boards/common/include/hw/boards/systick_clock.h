// systick_clock.h — hw::Clock for the emulated boards: a 1 kHz SysTick
// interrupt counts MonotonicMillis; the wall clock is the host's, read over
// semihosting (QEMU's MPS2 boards have no RTC). The host's clock stands in
// for a battery-backed RTC and is as untrusted as one: the device keeps its
// own lower bound (see hw/clock.h).
#ifndef PKI_HW_BOARDS_SYSTICK_CLOCK_H_
#define PKI_HW_BOARDS_SYSTICK_CLOCK_H_

#include <cstdint>
#include <memory>

#include "base/status_or.h"
#include "hw/clock.h"

namespace pki::hw::board {

class SysTickClock final : public Clock {
 public:
  // Create starts SysTick at 1 kHz from the core clock (board_config.h) and
  // returns the clock the caller owns. FAILED_PRECONDITION if a SysTickClock
  // already exists (there is one SysTick).
  static StatusOr<std::unique_ptr<SysTickClock>> Create();
  ~SysTickClock() override;
  SysTickClock(const SysTickClock&) = delete;
  SysTickClock& operator=(const SysTickClock&) = delete;

  // See hw::Clock. UNAVAILABLE if the host does not answer the time call.
  [[nodiscard]] StatusOr<int64_t> NowUnixSeconds() override;
  // Milliseconds since Create(); never fails, never goes backwards.
  uint64_t MonotonicMillis() override;

 private:
  SysTickClock() = default;
};

}  // namespace pki::hw::board

#endif  // PKI_HW_BOARDS_SYSTICK_CLOCK_H_
