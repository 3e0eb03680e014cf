#include "hw/host/system_clock.h"

#include <time.h>

namespace pki::hw::host {

StatusOr<int64_t> SystemClock::NowUnixSeconds() {
  timespec ts{};
  if (::clock_gettime(CLOCK_REALTIME, &ts) != 0) return UnavailableError("CLOCK_REALTIME failed");
  return static_cast<int64_t>(ts.tv_sec);
}

uint64_t SystemClock::MonotonicMillis() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

}  // namespace pki::hw::host
