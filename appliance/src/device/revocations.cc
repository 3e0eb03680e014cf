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
  for (size_t i = 0; i < count_; ++i) {
    const ByteSpan have = entries_[i].serial;
    if (have.size() == serial.size() && std::memcmp(have.data(), serial.data(), serial.size()) == 0) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

Status RevocationList::Add(ByteSpan serial, int64_t time, uint8_t reason) {
  if (count_ == kMaxRevocations) return ResourceExhaustedError("revocation list is full");
  if (serial.empty() || serial.size() > sizeof(serials_[0])) {
    return InvalidArgumentError("revocation serial must be 1..20 bytes");
  }
  uint8_t* room = serials_[count_];
  std::memset(room, 0, sizeof(serials_[0]));
  std::memcpy(room, serial.data(), serial.size());
  ca::RevokedCertificate& e = entries_[count_];
  e.serial = ByteSpan(room, serial.size());
  e.revocation_time = time;
  e.reason = static_cast<ca::RevocationReason>(reason);
  ++count_;
  return OkStatus();
}

void RevocationList::Clear() {
  std::memset(serials_, 0, sizeof(serials_));
  for (ca::RevokedCertificate& e : entries_) e = ca::RevokedCertificate{};
  count_ = 0;
}

StatusOr<size_t> LoadRevocations(hw::Storage& storage, RevocationList* out) {
  out->Clear();
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
    if (p[0] == 0 || p[0] > 20) {
      out->Clear();
      return DataLossError("revocation serial size bad");
    }
    Status added = out->Add(ByteSpan(p + 1, p[0]), static_cast<int64_t>(LoadBe64(p + 21)), p[29]);
    if (!added.ok()) {
      out->Clear();
      return DataLossError("revocation record: ").Append(added.message());
    }
  }
  return count;
}

Status SaveRevocations(hw::Storage& storage, const RevocationList& list) {
  if (list.count() > kMaxRevocations) return ResourceExhaustedError("revocation list is full");
  uint8_t buf[kHead + kMaxRevocations * kEntry + 4] = {};
  std::memcpy(buf, kMagic, 4);
  buf[4] = 1;
  StoreBe16(buf + 5, static_cast<uint16_t>(list.count()));
  const std::span<const ca::RevokedCertificate> entries = list.Entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    uint8_t* p = buf + kHead + i * kEntry;
    const ca::RevokedCertificate& r = entries[i];
    p[0] = static_cast<uint8_t>(r.serial.size());
    std::memcpy(p + 1, r.serial.data(), r.serial.size());  // zero-padded to 20
    StoreBe64(p + 21, static_cast<uint64_t>(r.revocation_time));
    p[29] = static_cast<uint8_t>(r.reason);
  }
  size_t len = kHead + list.count() * kEntry;
  StoreBe32(buf + len, Crc32(ByteSpan(buf, len)));
  len += 4;
  if (len > storage.MaxRecordSize()) return ResourceExhaustedError("revocation list is full");
  return storage.Write(kRevocationsKey, ByteSpan(buf, len));
}

}  // namespace pki::appliance::device
