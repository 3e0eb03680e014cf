#include "journal/record.h"

#include <cstring>
#include <string_view>

#include "crypto/digest.h"

namespace pki::appliance::journal {
namespace {
constexpr std::string_view kRecordLabel = "pki-journal-record-v1";
constexpr std::string_view kCheckpointLabel = "pki-journal-checkpoint-v1";
static_assert(kCheckpointLabel.size() == 25);
}  // namespace

StatusOr<size_t> EncodeRecord(const Record& r, MutableByteSpan out) {
  if (r.signature_size > kMaxAuditSignatureSize) {
    return InvalidArgumentError("journal: signature too long");
  }
  const size_t total = kRecordFixedSize + r.signature_size;
  if (out.size() < total) return OutOfRangeError("journal: record buffer too small");
  uint8_t* p = out.data();
  StoreBe64(p, r.seq);
  StoreBe16(p + 8, r.entry.type);
  StoreBe16(p + 10, r.entry.custodians);
  StoreBe64(p + 12, static_cast<uint64_t>(r.entry.time));
  std::memcpy(p + 20, r.entry.inputs_sha256.data(), 32);
  std::memcpy(p + 52, r.entry.outputs_sha256.data(), 32);
  std::memcpy(p + 84, r.prev.data(), 32);
  StoreBe16(p + 116, r.signature_size);
  if (r.signature_size > 0) std::memcpy(p + kRecordFixedSize, r.signature.data(), r.signature_size);
  return total;
}

Status DecodeRecord(ByteSpan in, Record* out) {
  *out = Record{};
  if (in.size() < kRecordFixedSize) return InvalidArgumentError("record shorter than its header");
  const uint8_t* p = in.data();
  Record r;
  r.seq = LoadBe64(p);
  r.entry.type = LoadBe16(p + 8);
  r.entry.custodians = LoadBe16(p + 10);
  r.entry.time = static_cast<int64_t>(LoadBe64(p + 12));
  std::memcpy(r.entry.inputs_sha256.data(), p + 20, 32);
  std::memcpy(r.entry.outputs_sha256.data(), p + 52, 32);
  std::memcpy(r.prev.data(), p + 84, 32);
  r.signature_size = LoadBe16(p + 116);
  if (r.signature_size > kMaxAuditSignatureSize) {
    return InvalidArgumentError("record signature too long");
  }
  if (kRecordFixedSize + r.signature_size != in.size()) {
    return InvalidArgumentError("record length does not match its signature size");
  }
  const bool checkpoint = r.entry.type == kRecordCheckpoint;
  if (checkpoint != (r.signature_size > 0)) {
    return InvalidArgumentError(checkpoint ? "checkpoint without a signature"
                                           : "signature on a record that is not a checkpoint");
  }
  if (r.signature_size > 0) std::memcpy(r.signature.data(), p + kRecordFixedSize, r.signature_size);
  *out = r;
  return OkStatus();
}

Hash RecordHash(ByteSpan encoded) {
  const ByteSpan parts[] = {AsBytes(kRecordLabel), encoded};
  return crypto::Sha256Parts(parts);
}

size_t CheckpointMessage(ByteSpan prefix, MutableByteSpan out) {
  std::memcpy(out.data(), kCheckpointLabel.data(), kCheckpointLabel.size());
  std::memcpy(out.data() + kCheckpointLabel.size(), prefix.data(), kSignedPrefixSize);
  return kCheckpointMessageSize;
}

}  // namespace pki::appliance::journal
