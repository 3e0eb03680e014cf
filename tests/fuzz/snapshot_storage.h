// snapshot_storage.h — an in-memory hw::Storage whose whole contents can be
// saved and restored in one step, so a fuzz target can start every input
// from the same persisted device state without redoing expensive setup.
// Writes are atomic by construction (a map assignment). Fuzzing only.
#ifndef PKI_TESTS_FUZZ_SNAPSHOT_STORAGE_H_
#define PKI_TESTS_FUZZ_SNAPSHOT_STORAGE_H_

#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

#include "hw/storage.h"

namespace pki::fuzz {

class SnapshotStorage final : public hw::Storage {
 public:
  using Image = std::map<uint32_t, std::vector<uint8_t>>;

  static constexpr size_t kMaxRecord = 4096;  // as hw::FakeStorage's default

  size_t MaxRecordSize() const override { return kMaxRecord; }

  StatusOr<size_t> Read(uint32_t key, MutableByteSpan out) override {
    auto it = records_.find(key);
    if (it == records_.end()) return NotFoundError("no such record");
    if (it->second.size() > out.size()) return OutOfRangeError("buffer too small");
    if (!it->second.empty()) std::memcpy(out.data(), it->second.data(), it->second.size());
    return it->second.size();
  }

  Status Write(uint32_t key, ByteSpan data) override {
    if (data.size() > kMaxRecord) return InvalidArgumentError("record too large");
    records_[key].assign(data.begin(), data.end());
    return OkStatus();
  }

  Status Erase(uint32_t key) override {
    records_.erase(key);
    return OkStatus();
  }

  Image Save() const { return records_; }
  void Restore(const Image& image) { records_ = image; }

 private:
  Image records_;
};

}  // namespace pki::fuzz

#endif  // PKI_TESTS_FUZZ_SNAPSHOT_STORAGE_H_
