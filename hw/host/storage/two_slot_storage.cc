#include "hw/host/two_slot_storage.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "base/crc32.h"

namespace pki::hw {
namespace {

constexpr size_t kMaxAllowedRecord = size_t{16} << 20;

Status KeyError(StatusCode code, std::string_view what, uint32_t key) {
  return Status(code, what).Append(" (record key ").AppendNumber(key).Append(")");
}

}  // namespace

StatusOr<std::unique_ptr<TwoSlotStorage>> TwoSlotStorage::Create(
    std::unique_ptr<SlotMedium> medium, size_t max_record_size) {
  if (medium == nullptr) return InvalidArgumentError("two-slot storage: no medium");
  if (max_record_size == 0 || max_record_size > kMaxAllowedRecord) {
    return InvalidArgumentError("two-slot storage: max record size must be 1..16 MiB");
  }
  return std::unique_ptr<TwoSlotStorage>(
      new TwoSlotStorage(std::move(medium), max_record_size));
}

TwoSlotStorage::TwoSlotStorage(std::unique_ptr<SlotMedium> medium, size_t max_record_size)
    : medium_(std::move(medium)), max_record_size_(max_record_size) {
  scratch_.resize(kHeaderSize + max_record_size_);
}

Status TwoSlotStorage::Scan(uint32_t key, KeyState* out_state, MutableByteSpan copy_to,
                            size_t* copied) {
  KeyState state;
  size_t copied_bytes = 0;
  for (uint8_t i = 0; i < 2; ++i) {
    SlotState& s = state.slot[i];
    StatusOr<size_t> got = medium_->ReadSlot(key, i, scratch_);
    if (!got.ok()) {
      if (got.status().code() == StatusCode::kNotFound) continue;
      if (got.status().code() == StatusCode::kOutOfRange) {
        s.present = true;  // too long to be ours: not intact
        continue;
      }
      if (copied != nullptr) *copied = copied_bytes;
      return got.status();
    }
    s.present = true;
    const size_t n = *got;
    const uint8_t* p = scratch_.data();
    if (n < kHeaderSize) continue;
    if (LoadBe32(p) != kMagic || LoadBe32(p + 4) != key) continue;
    const uint64_t seq = LoadBe64(p + 8);
    const uint32_t len = LoadBe32(p + 16);
    if (len > max_record_size_ || kHeaderSize + len != n) continue;
    uint32_t crc = Crc32(ByteSpan(p, 20));
    crc = Crc32(ByteSpan(p + kHeaderSize, len), crc);
    if (crc != LoadBe32(p + 20) || seq == 0) continue;
    s.intact = true;
    s.seq = seq;
    s.data_offset = kHeaderSize;
    s.data_size = len;
    // Slot 1 wins a tie, as in the choice of the newest below.
    const bool newest_so_far = i == 0 || !state.slot[0].intact || seq >= state.slot[0].seq;
    if (copied != nullptr && newest_so_far && len <= copy_to.size()) {
      if (len > 0) std::memcpy(copy_to.data(), p + kHeaderSize, len);
      copied_bytes = std::max(copied_bytes, static_cast<size_t>(len));
    }
  }
  if (copied != nullptr) *copied = copied_bytes;
  const SlotState& a = state.slot[0];
  const SlotState& b = state.slot[1];
  if (a.intact && (!b.intact || a.seq > b.seq)) {
    state.newest = 0;
  } else if (b.intact) {
    state.newest = 1;
  }
  *out_state = state;
  return OkStatus();
}

StatusOr<size_t> TwoSlotStorage::Read(uint32_t key, MutableByteSpan out) {
  KeyState st;
  size_t copied = 0;
  const Status scanned = Scan(key, &st, out, &copied);
  // Every error leaves |out| as zeros where a slot's data was copied.
  auto wipe = [&] {
    if (copied > 0) std::memset(out.data(), 0, copied);
  };
  if (!scanned.ok()) {
    wipe();
    return scanned;
  }
  if (st.newest < 0) {
    if (st.slot[0].present || st.slot[1].present) {
      return KeyError(StatusCode::kDataLoss, "storage: no intact copy of the record", key);
    }
    return KeyError(StatusCode::kNotFound, "storage: record not found", key);
  }
  const SlotState& s = st.slot[st.newest];
  if (s.data_size > out.size()) {
    wipe();
    return KeyError(StatusCode::kOutOfRange, "storage: read buffer too small", key);
  }
  // Scan copied the newest slot's data into |out|; zero what an older,
  // longer copy left beyond it.
  if (copied > s.data_size) std::memset(out.data() + s.data_size, 0, copied - s.data_size);
  return s.data_size;
}

Status TwoSlotStorage::Write(uint32_t key, ByteSpan data) {
  if (data.size() > max_record_size_) {
    return KeyError(StatusCode::kInvalidArgument, "storage: record larger than the maximum",
                    key);
  }
  KeyState st;
  PKI_RETURN_IF_ERROR(Scan(key, &st));
  uint64_t seq = 1;
  uint8_t target = 0;
  if (st.newest >= 0) {
    seq = st.slot[st.newest].seq + 1;
    target = static_cast<uint8_t>(1 - st.newest);
  }
  uint8_t* p = scratch_.data();  // Scan is done with it
  StoreBe32(p, kMagic);
  StoreBe32(p + 4, key);
  StoreBe64(p + 8, seq);
  StoreBe32(p + 16, static_cast<uint32_t>(data.size()));
  if (!data.empty()) std::memcpy(p + kHeaderSize, data.data(), data.size());
  uint32_t crc = Crc32(ByteSpan(p, 20));
  crc = Crc32(data, crc);
  StoreBe32(p + 20, crc);
  return medium_->WriteSlot(key, target, ByteSpan(p, kHeaderSize + data.size()));
}

Status TwoSlotStorage::Erase(uint32_t key) {
  KeyState st;
  PKI_RETURN_IF_ERROR(Scan(key, &st));
  // Older (or broken) slot first: a cut before the second erase leaves the
  // newest intact copy, i.e. the erase did not happen.
  const uint8_t first = st.newest == 0 ? 1 : 0;
  const uint8_t second = static_cast<uint8_t>(1 - first);
  if (st.slot[first].present) PKI_RETURN_IF_ERROR(medium_->EraseSlot(key, first));
  if (st.slot[second].present) PKI_RETURN_IF_ERROR(medium_->EraseSlot(key, second));
  return OkStatus();
}

StatusOr<uint64_t> TwoSlotStorage::Sequence(uint32_t key) {
  KeyState st;
  PKI_RETURN_IF_ERROR(Scan(key, &st));
  if (st.newest < 0) return uint64_t{0};
  return st.slot[st.newest].seq;
}

}  // namespace pki::hw
