#include "hw/fake/fake_storage.h"

#include <algorithm>
#include <cstring>

namespace pki::hw {

bool FakeMedium::CountMutationAndMaybeCut() {
  ++mutations_;
  if (cut_at_ != 0 && mutations_ == cut_at_) {
    powered_ = false;
    cut_at_ = 0;
    return true;
  }
  return false;
}

void FakeMedium::CutPowerAt(uint64_t n, size_t torn_bytes) {
  cut_at_ = n == 0 ? 0 : mutations_ + n;
  torn_bytes_ = torn_bytes;
}

void FakeMedium::PowerOn() {
  powered_ = true;
  cut_at_ = 0;
}

StatusOr<size_t> FakeMedium::ReadSlot(uint32_t key, uint8_t slot, MutableByteSpan out) {
  if (!powered_) return UnavailableError("fake storage: power is off");
  if (failing_reads_ > 0) {
    --failing_reads_;
    return UnavailableError("fake storage: injected read error");
  }
  auto it = slots_.find({key, slot});
  if (it == slots_.end()) return NotFoundError("fake storage: slot empty");
  if (it->second.size() > out.size()) return OutOfRangeError("fake storage: slot too long");
  if (!it->second.empty()) std::memcpy(out.data(), it->second.data(), it->second.size());
  return it->second.size();
}

Status FakeMedium::WriteSlot(uint32_t key, uint8_t slot, ByteSpan image) {
  if (!powered_) return UnavailableError("fake storage: power is off");
  auto it = slots_.find({key, slot});
  const size_t old_size = it == slots_.end() ? 0 : it->second.size();
  if (used_bytes_ - old_size + image.size() > capacity_bytes_) {
    return ResourceExhaustedError("fake storage: medium full");
  }
  std::vector<uint8_t>& dst = slots_[{key, slot}];
  if (CountMutationAndMaybeCut()) {
    if (torn_bytes_ > 0) {
      // Torn: a prefix of the new image over the old bytes.
      const size_t n = std::min(torn_bytes_, image.size());
      if (dst.size() < n) dst.resize(n);
      std::memcpy(dst.data(), image.data(), n);
    }
    used_bytes_ = used_bytes_ - old_size + dst.size();
    return UnavailableError("fake storage: power cut during write");
  }
  dst.assign(image.begin(), image.end());
  used_bytes_ = used_bytes_ - old_size + dst.size();
  return OkStatus();
}

Status FakeMedium::EraseSlot(uint32_t key, uint8_t slot) {
  if (!powered_) return UnavailableError("fake storage: power is off");
  if (CountMutationAndMaybeCut()) return UnavailableError("fake storage: power cut during erase");
  auto it = slots_.find({key, slot});
  if (it != slots_.end()) {
    used_bytes_ -= it->second.size();
    slots_.erase(it);
  }
  return OkStatus();
}

bool FakeMedium::FlipBit(uint32_t key, uint8_t slot, size_t offset, uint8_t bit) {
  auto it = slots_.find({key, slot});
  if (it == slots_.end() || offset >= it->second.size()) return false;
  it->second[offset] = static_cast<uint8_t>(it->second[offset] ^ (1u << (bit & 7u)));
  return true;
}

StatusOr<std::unique_ptr<FakeStorage>> FakeStorage::Create(FakeStorageOptions options) {
#if PKI_PRODUCTION_BUILD
  (void)options;
  return FailedPreconditionError("fake storage is test-only and refused in production builds");
#else
  if (options.capacity_bytes == 0) return InvalidArgumentError("fake storage: zero capacity");
  auto medium = std::make_unique<FakeMedium>(options.capacity_bytes);
  FakeMedium* raw = medium.get();
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<TwoSlotStorage> storage,
                       TwoSlotStorage::Create(std::move(medium), options.max_record_size));
  return std::unique_ptr<FakeStorage>(new FakeStorage(std::move(storage), raw));
#endif
}

}  // namespace pki::hw
