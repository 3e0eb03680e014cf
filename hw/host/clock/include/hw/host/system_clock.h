// system_clock.h — Clock from the host OS (CLOCK_REALTIME, CLOCK_MONOTONIC).
#ifndef PKI_HW_HOST_SYSTEM_CLOCK_H_
#define PKI_HW_HOST_SYSTEM_CLOCK_H_

#include "hw/clock.h"

namespace pki::hw::host {

class SystemClock final : public Clock {
 public:
  SystemClock() = default;
  // UNAVAILABLE if clock_gettime(CLOCK_REALTIME) fails.
  [[nodiscard]] StatusOr<int64_t> NowUnixSeconds() override;
  uint64_t MonotonicMillis() override;
};

}  // namespace pki::hw::host

#endif  // PKI_HW_HOST_SYSTEM_CLOCK_H_
