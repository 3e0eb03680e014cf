#include "custody/split_record.h"

#include <cstring>

namespace pki::appliance::custody {
namespace {
constexpr uint8_t kMagic[4] = {'P', 'K', 'C', 'R'};
constexpr uint8_t kVersion = 1;
}  // namespace

StatusOr<size_t> EncodeSplitRecord(const SplitInfo& split, MutableByteSpan out) {
  PKI_RETURN_IF_ERROR(CheckSplitParameters(split.threshold, split.count));
  const size_t total = kSplitRecordHeaderSize + split.count * kSplitRecordEntrySize;
  if (out.size() < total) return OutOfRangeError("split record: buffer too small");
  for (size_t i = 0; i < split.count; ++i) {
    if (split.names[i].empty()) return InvalidArgumentError("split record: empty name");
  }
  uint8_t* p = out.data();
  std::memset(p, 0, total);
  std::memcpy(p, kMagic, 4);
  p[4] = kVersion;
  p[5] = split.threshold;
  p[6] = split.count;
  std::memcpy(p + 8, split.split_id.data(), kSplitIdSize);
  std::memcpy(p + 24, split.kek_check.data(), kCommitmentSize);
  for (size_t i = 0; i < split.count; ++i) {
    uint8_t* e = p + kSplitRecordHeaderSize + i * kSplitRecordEntrySize;
    const std::string_view name = split.names[i].view();
    e[0] = static_cast<uint8_t>(name.size());
    std::memcpy(e + 1, name.data(), name.size());
    std::memcpy(e + 1 + kMaxNameSize, split.commitments[i].data(), kCommitmentSize);
  }
  return total;
}

Status DecodeSplitRecord(ByteSpan r, SplitInfo* out) {
  *out = SplitInfo{};
  if (r.size() < kSplitRecordHeaderSize || std::memcmp(r.data(), kMagic, 4) != 0 ||
      r[4] != kVersion) {
    return DataLossError("split record: bad header");
  }
  SplitInfo s;
  s.threshold = r[5];
  s.count = r[6];
  if (!CheckSplitParameters(s.threshold, s.count).ok()) {
    return DataLossError("split record: bad M/N");
  }
  if (r.size() != kSplitRecordHeaderSize + s.count * kSplitRecordEntrySize) {
    return DataLossError("split record: wrong length");
  }
  std::memcpy(s.split_id.data(), r.data() + 8, kSplitIdSize);
  std::memcpy(s.kek_check.data(), r.data() + 24, kCommitmentSize);
  for (size_t i = 0; i < s.count; ++i) {
    const uint8_t* e = r.data() + kSplitRecordHeaderSize + i * kSplitRecordEntrySize;
    if (e[0] > kMaxNameSize ||
        !s.names[i].Set(std::string_view(reinterpret_cast<const char*>(e + 1), e[0])).ok()) {
      return DataLossError("split record: bad custodian name");
    }
    std::memcpy(s.commitments[i].data(), e + 1 + kMaxNameSize, kCommitmentSize);
  }
  *out = s;
  return OkStatus();
}

}  // namespace pki::appliance::custody
