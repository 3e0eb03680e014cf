#include "journal/export.h"

#include <cstring>
#include <optional>
#include <string_view>

#include "base/secret.h"

namespace pki::appliance::journal {
namespace {

constexpr uint8_t kMagic[4] = {'P', 'K', 'J', 'X'};
constexpr uint8_t kTrailerMagic[4] = {'P', 'K', 'J', 'T'};
constexpr uint8_t kVersion = 1;
constexpr std::string_view kExportLabel = "pki-journal-export-v1";
constexpr size_t kTrailerMessageSize = 21 + kExportHeaderSize + 8 + 32;
static_assert(kExportLabel.size() == 21);

size_t TrailerMessage(ByteSpan header, uint64_t last_seq, const Hash& head, uint8_t* out) {
  std::memcpy(out, kExportLabel.data(), kExportLabel.size());
  std::memcpy(out + 21, header.data(), kExportHeaderSize);
  StoreBe64(out + 21 + kExportHeaderSize, last_seq);
  std::memcpy(out + 29 + kExportHeaderSize, head.data(), head.size());
  return kTrailerMessageSize;
}

Status RecordError(uint64_t seq, std::string_view what) {
  return Status(StatusCode::kDataLoss, "journal export: record seq ")
      .AppendNumber(seq)
      .Append(": ")
      .Append(what);
}

Status PartError(std::string_view what) {
  return Status(StatusCode::kDataLoss, "journal export: ").Append(what);
}

}  // namespace

bool ExportWriter::Fits(size_t size) const {
  return used_ + 2 + size + kMaxExportTrailerSize <= out_.size();
}

Status ExportWriter::AddRecord(ByteSpan encoded) {
  if (!Fits(encoded.size()) || encoded.size() > kMaxRecordSize) {
    return OutOfRangeError("journal export: buffer full");
  }
  StoreBe16(out_.data() + used_, static_cast<uint16_t>(encoded.size()));
  std::memcpy(out_.data() + used_ + 2, encoded.data(), encoded.size());
  used_ += 2 + encoded.size();
  ++count_;
  return OkStatus();
}

StatusOr<size_t> ExportWriter::Finish(uint64_t last_seq, const Hash& head, AuditSigner& signer) {
  if (count_ == 0) return FailedPreconditionError("journal export: no records");
  if (out_.size() < used_ + kMaxExportTrailerSize) {
    return OutOfRangeError("journal export: buffer full");
  }
  uint8_t* p = out_.data();
  std::memcpy(p, kMagic, 4);
  p[4] = kVersion;
  p[5] = p[6] = p[7] = 0;
  StoreBe64(p + 8, first_seq_);
  StoreBe32(p + 16, count_);
  uint8_t message[kTrailerMessageSize];
  TrailerMessage(ByteSpan(p, kExportHeaderSize), last_seq, head, message);
  uint8_t* t = p + used_;
  std::memcpy(t, kTrailerMagic, 4);
  StoreBe64(t + 4, last_seq);
  std::memcpy(t + 12, head.data(), head.size());
  PKI_ASSIGN_OR_RETURN(size_t sig_len,
                       signer.Sign(message, MutableByteSpan(t + kExportTrailerFixedSize,
                                                            kMaxAuditSignatureSize)));
  StoreBe16(t + 44, static_cast<uint16_t>(sig_len));
  return used_ + kExportTrailerFixedSize + sig_len;
}

namespace {

// VerifyOne verifies the export at the front of |in| and sets |*consumed|
// to its length (bytes after it are left to the caller).
StatusOr<ExportSummary> VerifyOne(ByteSpan in, const AuditVerifier& verifier, size_t* consumed) {
  if (in.size() < kExportHeaderSize || std::memcmp(in.data(), kMagic, 4) != 0 ||
      in[4] != kVersion) {
    return PartError("header: not a journal export (bad magic or version)");
  }
  ExportSummary sum;
  sum.first_seq = LoadBe64(in.data() + 8);
  sum.count = LoadBe32(in.data() + 16);
  if (sum.count == 0) return PartError("header: no records");
  size_t pos = kExportHeaderSize;
  Hash prev_hash{};
  uint8_t message[kCheckpointMessageSize];
  for (uint32_t i = 0; i < sum.count; ++i) {
    const uint64_t expect_seq = sum.first_seq + i;
    if (pos + 2 > in.size()) {
      return Status(StatusCode::kDataLoss, "journal export: truncated: header says ")
          .AppendNumber(sum.count)
          .Append(" records, found ")
          .AppendNumber(i);
    }
    const size_t len = LoadBe16(in.data() + pos);
    if (len < kRecordFixedSize || len > kMaxRecordSize || pos + 2 + len > in.size()) {
      return RecordError(expect_seq, "bad length or truncated");
    }
    const ByteSpan encoded = in.subspan(pos + 2, len);
    pos += 2 + len;
    Record r;
    Status st = DecodeRecord(encoded, &r);
    if (!st.ok()) return RecordError(expect_seq, st.message());
    if (r.seq != expect_seq) {
      return Status(StatusCode::kDataLoss, "journal export: record at position ")
          .AppendNumber(i)
          .Append(" has seq ")
          .AppendNumber(r.seq)
          .Append(", expected ")
          .AppendNumber(expect_seq)
          .Append(" (reordered, dropped or inserted)");
    }
    if (i == 0) {
      sum.first_prev = r.prev;
    } else if (!ConstantTimeEqual(r.prev, prev_hash)) {
      return RecordError(expect_seq - 1, "does not match the chain (modified?)");
    }
    if (r.entry.type == kRecordCheckpoint) {
      CheckpointMessage(encoded.first(kSignedPrefixSize), message);
      if (!verifier.Verify(message, ByteSpan(r.signature.data(), r.signature_size)).ok()) {
        return RecordError(r.seq, "checkpoint signature does not verify");
      }
      ++sum.checkpoints;
    }
    prev_hash = RecordHash(encoded);
  }
  sum.last_seq = sum.first_seq + sum.count - 1;
  if (pos + kExportTrailerFixedSize > in.size()) {
    return PartError("truncated: the signed trailer is missing");
  }
  const uint8_t* t = in.data() + pos;
  if (std::memcmp(t, kTrailerMagic, 4) != 0) {
    return PartError("trailer: bad magic (records added or removed?)");
  }
  const uint64_t last_seq = LoadBe64(t + 4);
  Hash head;
  std::memcpy(head.data(), t + 12, head.size());
  const size_t sig_len = LoadBe16(t + 44);
  if (sig_len > kMaxAuditSignatureSize || pos + kExportTrailerFixedSize + sig_len > in.size()) {
    return PartError("trailer: wrong length (truncated or extra bytes)");
  }
  *consumed = pos + kExportTrailerFixedSize + sig_len;
  uint8_t tmsg[kTrailerMessageSize];
  TrailerMessage(in.first(kExportHeaderSize), last_seq, head, tmsg);
  if (!verifier.Verify(tmsg, ByteSpan(t + kExportTrailerFixedSize, sig_len)).ok()) {
    return PartError("trailer: signature does not verify (header or trailer altered)");
  }
  if (last_seq != sum.last_seq) {
    return PartError("trailer: last seq does not match the records (truncated?)");
  }
  if (!ConstantTimeEqual(head, prev_hash)) {
    return RecordError(sum.last_seq, "does not match the signed export head (modified?)");
  }
  sum.head = head;
  return sum;
}

}  // namespace

StatusOr<ExportSummary> VerifyJournalExport(ByteSpan in, const AuditVerifier& verifier) {
  size_t consumed = 0;
  PKI_ASSIGN_OR_RETURN(ExportSummary sum, VerifyOne(in, verifier, &consumed));
  if (consumed != in.size()) return PartError("trailer: wrong length (truncated or extra bytes)");
  return sum;
}

StatusOr<ExportSummary> VerifyJournalExportStream(ByteSpan in, const AuditVerifier& verifier) {
  ExportSummary total;
  size_t pos = 0;
  for (uint32_t part = 0; pos < in.size() || part == 0; ++part) {
    size_t consumed = 0;
    StatusOr<ExportSummary> one = VerifyOne(in.subspan(pos), verifier, &consumed);
    if (!one.ok()) {
      if (part == 0) return one.status();
      return Status(one.status().code(), one.status().message())
          .Append(" (in chunk ")
          .AppendNumber(part + 1)
          .Append(" at byte ")
          .AppendNumber(pos)
          .Append(")");
    }
    if (part == 0) {
      total = *one;
    } else {
      if (one->first_seq != total.last_seq + 1 || !ConstantTimeEqual(one->first_prev, total.head)) {
        return Status(StatusCode::kDataLoss, "journal export: chunk ")
            .AppendNumber(part + 1)
            .Append(" (from seq ")
            .AppendNumber(one->first_seq)
            .Append(") does not continue the chunk before it (ends at seq ")
            .AppendNumber(total.last_seq)
            .Append(")");
      }
      total.last_seq = one->last_seq;
      total.count += one->count;
      total.checkpoints += one->checkpoints;
      total.head = one->head;
    }
    pos += consumed;
  }
  return total;
}

StatusOr<ExportSummary> VerifyJournalExportWithKey(ByteSpan exported, ByteSpan audit_spki_der) {
  std::optional<CryptoAuditVerifier> verifier;
  PKI_RETURN_IF_ERROR(CryptoAuditVerifier::Create(audit_spki_der, verifier));
  return VerifyJournalExportStream(exported, *verifier);
}

}  // namespace pki::appliance::journal
