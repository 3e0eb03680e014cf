// device_record.h — the appliance's persisted device state: lifecycle state,
// counters, the time lower bound and offset, the CRL number. One record in
// hw::Storage, rewritten atomically on every change.
//
// Storage keys of the device (range 0x0300'0000..0x03FF'FFFF, see
// docs/appliance-link.md until hw/storage.h lists it):
//   kDeviceRecordKey  this record
//   kRootCertKey      the root certificate DER
//   kSealedRootKeyKey the root private key sealed under the KEK
//   kRevocationsKey   the intermediates revoked so far (for the CRL)
#ifndef PKI_APPLIANCE_DEVICE_DEVICE_RECORD_H_
#define PKI_APPLIANCE_DEVICE_DEVICE_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/status_or.h"
#include "hw/storage.h"

namespace pki::appliance::device {

inline constexpr uint32_t kDeviceRecordKey = 0x03000001u;
inline constexpr uint32_t kRootCertKey = 0x03000002u;
inline constexpr uint32_t kSealedRootKeyKey = 0x03000003u;
inline constexpr uint32_t kRevocationsKey = 0x03000004u;

// Persisted lifecycle states. UNLOCKED is never persisted: it lives in RAM
// for one operation, and a reboot comes back LOCKED. Values are far apart in
// Hamming distance so a flipped bit reads as corrupt, not as another state.
enum class Lifecycle : uint8_t {
  kUnprovisioned = 0x1E,
  kLocked = 0x2D,
  kDecommissioned = 0x4B,
};

struct DeviceRecord {
  Lifecycle lifecycle = Lifecycle::kUnprovisioned;
  bool tampered = false;          // the tamper line tripped once; terminal
  uint64_t boot_count = 0;
  uint64_t failed_attempts = 0;   // shares rejected, all time
  int64_t time_lower_bound = 0;   // unix seconds; device time never goes below it
  int64_t time_offset = 0;        // device time = RTC + offset (set by SetTime)
  uint64_t crl_number = 0;        // the last CRL number issued
  // Shares rejected in a row (reset by an accepted one); at
  // kLockoutThreshold the device refuses quorum sessions for a back-off.
  uint32_t consecutive_failures = 0;
};

inline constexpr size_t kDeviceRecordSize = 48;

// EncodeDeviceRecord writes |rec| in its fixed layout ("PKDV", version 1,
// fields big-endian, CRC-32) to |out| (kDeviceRecordSize bytes). Never fails.
void EncodeDeviceRecord(std::span<uint8_t, kDeviceRecordSize> out, const DeviceRecord& rec);

// DecodeDeviceRecord parses |in| (borrowed). DATA_LOSS naming the problem
// if the size, magic, version, CRC or lifecycle value is wrong.
StatusOr<DeviceRecord> DecodeDeviceRecord(ByteSpan in);

// LoadDeviceRecord reads the record from |storage| (borrowed). A missing
// record is a new device: returns the default (unprovisioned) record.
// DATA_LOSS if it is corrupt; the storage's error (UNAVAILABLE) otherwise.
StatusOr<DeviceRecord> LoadDeviceRecord(hw::Storage& storage);

// SaveDeviceRecord writes |rec| durably. The storage's error on failure (the
// old record is still in force then).
[[nodiscard]] Status SaveDeviceRecord(hw::Storage& storage, const DeviceRecord& rec);

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_DEVICE_RECORD_H_
