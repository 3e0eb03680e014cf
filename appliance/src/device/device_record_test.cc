#include "device/device_record.h"

#include <gtest/gtest.h>

#include "device/device_time.h"
#include "hw/fake/fake_clock.h"

namespace pki::appliance::device {
namespace {

DeviceRecord Sample() {
  DeviceRecord r;
  r.lifecycle = Lifecycle::kLocked;
  r.boot_count = 7;
  r.failed_attempts = 3;
  r.time_lower_bound = 1'800'000'000;
  r.time_offset = -42;
  r.crl_number = 12;
  return r;
}

TEST(DeviceRecord, RoundTrips) {
  uint8_t buf[kDeviceRecordSize];
  EncodeDeviceRecord(buf, Sample());
  StatusOr<DeviceRecord> back = DecodeDeviceRecord(buf);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->lifecycle, Lifecycle::kLocked);
  EXPECT_FALSE(back->tampered);
  EXPECT_EQ(back->boot_count, 7u);
  EXPECT_EQ(back->failed_attempts, 3u);
  EXPECT_EQ(back->time_lower_bound, 1'800'000'000);
  EXPECT_EQ(back->time_offset, -42);
  EXPECT_EQ(back->crl_number, 12u);
}

TEST(DeviceRecord, EveryFlippedBitIsDataLoss) {
  uint8_t buf[kDeviceRecordSize];
  EncodeDeviceRecord(buf, Sample());
  for (size_t i = 0; i < kDeviceRecordSize; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      buf[i] ^= static_cast<uint8_t>(1 << bit);
      StatusOr<DeviceRecord> r = DecodeDeviceRecord(buf);
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "byte " << i << " bit " << bit;
      buf[i] ^= static_cast<uint8_t>(1 << bit);
    }
  }
  EXPECT_EQ(DecodeDeviceRecord(ByteSpan(buf, 10)).status().code(), StatusCode::kDataLoss);
}

TEST(DeviceTime, NeverMovesBackwards) {
  hw::fake::FakeClock clock(1000);
  DeviceRecord rec;
  ASSERT_TRUE(ApplySetTime(rec, clock, 5000).ok());
  EXPECT_EQ(*DeviceNow(clock, rec), 5000);
  EXPECT_EQ(rec.time_lower_bound, 5000);
  clock.AdvanceMillis(10'000);
  EXPECT_EQ(*DeviceNow(clock, rec), 5010);
  // Setting it back is refused and changes nothing.
  Status back = ApplySetTime(rec, clock, 4999);
  EXPECT_EQ(back.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*DeviceNow(clock, rec), 5010);
  // An RTC rolled back below the bound stops the clock instead of back-dating.
  clock.SetUnixSeconds(100);
  EXPECT_EQ(DeviceNow(clock, rec).status().code(), StatusCode::kFailedPrecondition);
  RaiseLowerBound(rec, 4000);
  EXPECT_EQ(rec.time_lower_bound, 5000);
  clock.SetWallClockFailing(true);
  EXPECT_EQ(ApplySetTime(rec, clock, 9000).code(), StatusCode::kUnavailable);
  EXPECT_EQ(rec.time_lower_bound, 5000);
}

}  // namespace
}  // namespace pki::appliance::device
