#include "device/revocations.h"

#include <cstring>

#include "base/crc32.h"
#include "device/device_record.h"

namespace pki::appliance::device {
namespace {

constexpr uint8_t kMagic[4] = {'P', 'K', 'R', 'V'};
constexpr size_t kHead = 7;
constexpr size_t kEntry = 30;

}  // namespace

int RevocationList::Find(ByteSpan serial) const {
  for (size_t i = 0; i < count; ++i) {
    if (entries[i].serial_size == serial.size() &&
        std::memcmp(entries[i].serial, serial.data(), serial.size()) == 0) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

StatusOr<size_t> LoadRevocations(hw::Storage& storage, RevocationList* out) {
  out->count = 0;
  static_assert(kHead + kMaxRevocations * kEntry + 4 <= 4096);
  uint8_t buf[kHead + kMaxRevocations * kEntry + 4];
  StatusOr<size_t> n = storage.Read(kRevocationsKey, buf);
  if (!n.ok()) {
    if (n.status().code() == StatusCode::kNotFound) return static_cast<size_t>(0);
    return n.status();
  }
  if (*n < kHead + 4 || std::memcmp(buf, kMagic, 4) != 0 || buf[4] != 1) {
    return DataLossError("revocation record is malformed");
  }
  if (LoadBe32(buf + *n - 4) != Crc32(ByteSpan(buf, *n - 4))) {
    return DataLossError("revocation record CRC mismatch");
  }
  size_t count = LoadBe16(buf + 5);
  if (count > kMaxRevocations || kHead + count * kEntry + 4 != *n) {
    return DataLossError("revocation record has a bad count");
  }
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = buf + kHead + i * kEntry;
    Revocation& r = out->entries[i];
    r.serial_size = p[0];
    if (r.serial_size == 0 || r.serial_size > 20) return DataLossError("revocation serial size bad");
    std::memcpy(r.serial, p + 1, 20);
    r.time = static_cast<int64_t>(LoadBe64(p + 21));
    r.reason = p[29];
  }
  out->count = count;
  return count;
}

Status SaveRevocations(hw::Storage& storage, const RevocationList& list) {
  if (list.count > kMaxRevocations) return ResourceExhaustedError("revocation list is full");
  uint8_t buf[kHead + kMaxRevocations * kEntry + 4] = {};
  std::memcpy(buf, kMagic, 4);
  buf[4] = 1;
  StoreBe16(buf + 5, static_cast<uint16_t>(list.count));
  for (size_t i = 0; i < list.count; ++i) {
    uint8_t* p = buf + kHead + i * kEntry;
    const Revocation& r = list.entries[i];
    p[0] = r.serial_size;
    std::memcpy(p + 1, r.serial, 20);
    StoreBe64(p + 21, static_cast<uint64_t>(r.time));
    p[29] = r.reason;
  }
  size_t len = kHead + list.count * kEntry;
  StoreBe32(buf + len, Crc32(ByteSpan(buf, len)));
  len += 4;
  if (len > storage.MaxRecordSize()) return ResourceExhaustedError("revocation list is full");
  return storage.Write(kRevocationsKey, ByteSpan(buf, len));
}

size_t ToCrlEntries(const RevocationList& list, ca::RevokedCertificate* out) {
  for (size_t i = 0; i < list.count; ++i) {
    out[i].serial = ByteSpan(list.entries[i].serial, list.entries[i].serial_size);
    out[i].revocation_time = list.entries[i].time;
    out[i].reason = static_cast<ca::RevocationReason>(list.entries[i].reason);
  }
  return list.count;
}

}  // namespace pki::appliance::device
