#include "device/device_record.h"

#include <cstring>

#include "base/crc32.h"

namespace pki::appliance::device {
namespace {

constexpr uint8_t kMagic[4] = {'P', 'K', 'D', 'V'};
constexpr uint8_t kRecordVersion = 1;
// Layout (big-endian): 0 magic "PKDV" | 4 version | 5 lifecycle |
// 6 tampered (0x00 or 0xA5) | 7 reserved | 8 boot_count u64 |
// 16 failed_attempts u32 (saturating) | 20 time_lower_bound i64 |
// 28 time_offset i64 | 36 crl_number u32 | 40 consecutive_failures u32
// (reserved, zero, in records written before the lockout) | 44 CRC-32 of 0..43.
constexpr size_t kCrcOffset = kDeviceRecordSize - 4;

uint32_t Saturate32(uint64_t v) { return v > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(v); }

bool IsLifecycle(uint8_t v) {
  return v == static_cast<uint8_t>(Lifecycle::kUnprovisioned) ||
         v == static_cast<uint8_t>(Lifecycle::kLocked) ||
         v == static_cast<uint8_t>(Lifecycle::kDecommissioned);
}

}  // namespace

void EncodeDeviceRecord(std::span<uint8_t, kDeviceRecordSize> out, const DeviceRecord& rec) {
  uint8_t* p = out.data();
  std::memset(p, 0, kDeviceRecordSize);
  std::memcpy(p, kMagic, 4);
  p[4] = kRecordVersion;
  p[5] = static_cast<uint8_t>(rec.lifecycle);
  p[6] = rec.tampered ? 0xA5 : 0x00;
  p[7] = 0;
  StoreBe64(p + 8, rec.boot_count);
  StoreBe32(p + 16, Saturate32(rec.failed_attempts));
  StoreBe64(p + 20, static_cast<uint64_t>(rec.time_lower_bound));
  StoreBe64(p + 28, static_cast<uint64_t>(rec.time_offset));
  StoreBe32(p + 36, Saturate32(rec.crl_number));
  StoreBe32(p + 40, rec.consecutive_failures);
  StoreBe32(p + kCrcOffset, Crc32(ByteSpan(p, kCrcOffset)));
}

StatusOr<DeviceRecord> DecodeDeviceRecord(ByteSpan in) {
  if (in.size() != kDeviceRecordSize) return DataLossError("device record has the wrong size");
  const uint8_t* p = in.data();
  if (std::memcmp(p, kMagic, 4) != 0) return DataLossError("device record magic is wrong");
  if (p[4] != kRecordVersion) return DataLossError("device record version unknown");
  if (LoadBe32(p + kCrcOffset) != Crc32(ByteSpan(p, kCrcOffset))) {
    return DataLossError("device record CRC mismatch");
  }
  if (!IsLifecycle(p[5])) return DataLossError("device record lifecycle value invalid");
  if (p[6] != 0x00 && p[6] != 0xA5) return DataLossError("device record tamper flag invalid");
  DeviceRecord rec;
  rec.lifecycle = static_cast<Lifecycle>(p[5]);
  rec.tampered = p[6] == 0xA5;
  rec.boot_count = LoadBe64(p + 8);
  rec.failed_attempts = LoadBe32(p + 16);
  rec.time_lower_bound = static_cast<int64_t>(LoadBe64(p + 20));
  rec.time_offset = static_cast<int64_t>(LoadBe64(p + 28));
  rec.crl_number = LoadBe32(p + 36);
  rec.consecutive_failures = LoadBe32(p + 40);
  return rec;
}

StatusOr<DeviceRecord> LoadDeviceRecord(hw::Storage& storage) {
  uint8_t buf[kDeviceRecordSize + 1];
  StatusOr<size_t> n = storage.Read(kDeviceRecordKey, buf);
  if (!n.ok()) {
    if (n.status().code() == StatusCode::kNotFound) return DeviceRecord{};
    if (n.status().code() == StatusCode::kOutOfRange) {
      return DataLossError("device record larger than expected");
    }
    return n.status();
  }
  return DecodeDeviceRecord(ByteSpan(buf, *n));
}

Status SaveDeviceRecord(hw::Storage& storage, const DeviceRecord& rec) {
  uint8_t buf[kDeviceRecordSize];
  EncodeDeviceRecord(buf, rec);
  return storage.Write(kDeviceRecordKey, buf);
}

}  // namespace pki::appliance::device
