// device_time.h — the appliance's trusted time: the HAL's RTC plus an
// offset a ceremony sets, never below a lower bound persisted in the device
// record. The bound only moves forward: SetTime cannot move time backwards,
// and every signature raises the bound to the time it used, so a clock that
// is rolled back (a flat RTC battery, tampering) stops the appliance from
// signing instead of back-dating.
#ifndef PKI_APPLIANCE_DEVICE_DEVICE_TIME_H_
#define PKI_APPLIANCE_DEVICE_DEVICE_TIME_H_

#include <cstdint>

#include "base/status_or.h"
#include "device/device_record.h"
#include "hw/clock.h"

namespace pki::appliance::device {

// DeviceNow returns RTC + rec.time_offset. UNAVAILABLE if the RTC failed;
// FAILED_PRECONDITION ("clock is behind the time lower bound") if the result
// is below rec.time_lower_bound: the time must be set by a quorum first.
// Borrows |clock| and |rec| for the call.
StatusOr<int64_t> DeviceNow(hw::Clock& clock, const DeviceRecord& rec);

// ApplySetTime updates |rec| so DeviceNow returns |unix_seconds| now, and
// raises the lower bound to it. INVALID_ARGUMENT ("would move time
// backwards") if |unix_seconds| is below the lower bound; UNAVAILABLE if the
// RTC failed. |rec| is unchanged on failure; the caller persists it.
[[nodiscard]] Status ApplySetTime(DeviceRecord& rec, hw::Clock& clock, int64_t unix_seconds);

// RaiseLowerBound moves rec.time_lower_bound up to |used_time| if it is
// higher (never down). The caller persists it.
void RaiseLowerBound(DeviceRecord& rec, int64_t used_time);

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_DEVICE_TIME_H_
