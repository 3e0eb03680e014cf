#include "device/device_time.h"

namespace pki::appliance::device {

StatusOr<int64_t> DeviceNow(hw::Clock& clock, const DeviceRecord& rec) {
  PKI_ASSIGN_OR_RETURN(int64_t rtc, clock.NowUnixSeconds());
  int64_t now = rtc + rec.time_offset;
  if (now < rec.time_lower_bound) {
    return FailedPreconditionError("clock is behind the time lower bound; set the time with a quorum");
  }
  return now;
}

Status ApplySetTime(DeviceRecord& rec, hw::Clock& clock, int64_t unix_seconds) {
  if (unix_seconds < rec.time_lower_bound) {
    return InvalidArgumentError("set time would move time backwards below the lower bound ")
        .AppendNumber(static_cast<uint64_t>(rec.time_lower_bound));
  }
  PKI_ASSIGN_OR_RETURN(int64_t rtc, clock.NowUnixSeconds());
  rec.time_offset = unix_seconds - rtc;
  rec.time_lower_bound = unix_seconds;
  return OkStatus();
}

void RaiseLowerBound(DeviceRecord& rec, int64_t used_time) {
  if (used_time > rec.time_lower_bound) rec.time_lower_bound = used_time;
}

}  // namespace pki::appliance::device
