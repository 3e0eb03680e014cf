#include "journal/journal.h"

#include <cstring>

namespace pki::appliance::journal {
namespace {

constexpr uint8_t kMetaMagic[4] = {'P', 'K', 'J', 'M'};
constexpr uint8_t kMetaVersion = 1;
constexpr size_t kMetaSize = 84;

void EncodeMeta(const JournalState& s, uint32_t capacity, uint8_t* p) {
  std::memset(p, 0, kMetaSize);
  std::memcpy(p, kMetaMagic, 4);
  p[4] = kMetaVersion;
  StoreBe32(p + 8, capacity);
  StoreBe64(p + 12, s.next_seq);
  StoreBe64(p + 20, s.first_seq);
  std::memcpy(p + 28, s.head.data(), 32);
  StoreBe64(p + 60, s.last_checkpoint);
  StoreBe64(p + 68, s.boot_count);
  StoreBe64(p + 76, s.failed_attempts);
}

}  // namespace

Status Journal::Open(hw::Storage& storage, AuditSigner& signer, const JournalConfig& config,
                     std::optional<Journal>& out) {
  out.reset();
  if (config.capacity < 2 || config.capacity > kMaxCapacity) {
    return InvalidArgumentError("journal: capacity must be 2..16776704 records");
  }
  if (storage.MaxRecordSize() < kMaxRecordSize) {
    return InvalidArgumentError("journal: storage records too small for journal records");
  }
  Journal j{Token()};
  j.storage_ = &storage;
  j.signer_ = &signer;
  j.config_ = config;
  PKI_RETURN_IF_ERROR(j.Load());
  JournalState next = j.state_;
  ++next.boot_count;
  PKI_RETURN_IF_ERROR(j.SaveMeta(next));
  j.state_ = next;
  out.emplace(Token());
  Journal& o = *out;
  o.storage_ = j.storage_;
  o.signer_ = j.signer_;
  o.config_ = j.config_;
  o.state_ = j.state_;
  return OkStatus();
}

Status Journal::Load() {
  uint8_t meta[kMetaSize + 1];
  JournalState s;
  StatusOr<size_t> got = storage_->Read(kMetaKey, meta);
  if (got.ok()) {
    if (*got != kMetaSize || std::memcmp(meta, kMetaMagic, 4) != 0 || meta[4] != kMetaVersion) {
      return DataLossError("journal: meta record corrupt");
    }
    if (LoadBe32(meta + 8) != config_.capacity) {
      return FailedPreconditionError("journal: stored journal has another capacity");
    }
    s.next_seq = LoadBe64(meta + 12);
    s.first_seq = LoadBe64(meta + 20);
    std::memcpy(s.head.data(), meta + 28, 32);
    s.last_checkpoint = LoadBe64(meta + 60);
    s.boot_count = LoadBe64(meta + 68);
    s.failed_attempts = LoadBe64(meta + 76);
    if (s.first_seq > s.next_seq || s.next_seq - s.first_seq > config_.capacity) {
      return DataLossError("journal: meta record inconsistent");
    }
  } else if (got.status().code() == StatusCode::kOutOfRange) {
    return DataLossError("journal: meta record corrupt");
  } else if (got.status().code() != StatusCode::kNotFound) {
    return got.status();
  }
  // Roll forward records that reached storage before a cut took the meta
  // update: the record after the head whose link is the head.
  bool rolled = false;
  while (s.next_seq - s.first_seq < config_.capacity) {
    uint8_t buf[kMaxRecordSize];
    StatusOr<size_t> n = storage_->Read(RingKey(s.next_seq), buf);
    if (!n.ok()) {
      const StatusCode c = n.status().code();
      if (c == StatusCode::kNotFound || c == StatusCode::kDataLoss ||
          c == StatusCode::kOutOfRange) {
        break;
      }
      return n.status();
    }
    Record r;
    if (!DecodeRecord(ByteSpan(buf, *n), &r).ok() || r.seq != s.next_seq ||
        r.prev != s.head) {
      break;
    }
    s.head = RecordHash(ByteSpan(buf, *n));
    if (r.entry.type == kRecordCheckpoint) s.last_checkpoint = r.seq + 1;
    ++s.next_seq;
    rolled = true;
  }
  if (rolled) PKI_RETURN_IF_ERROR(SaveMeta(s));
  state_ = s;
  needs_reload_ = false;
  return OkStatus();
}

Status Journal::SaveMeta(const JournalState& s) {
  uint8_t meta[kMetaSize];
  EncodeMeta(s, config_.capacity, meta);
  return storage_->Write(kMetaKey, ByteSpan(meta, kMetaSize));
}

Status Journal::ReloadIfNeeded() {
  if (!needs_reload_) return OkStatus();
  return Load();
}

uint64_t Journal::Free() const {
  return config_.capacity - (state_.next_seq - state_.first_seq);
}

StatusOr<uint64_t> Journal::AppendRecord(Record& r, bool sign) {
  r.seq = state_.next_seq;
  r.prev = state_.head;
  uint8_t buf[kMaxRecordSize];
  if (sign) {
    r.signature_size = 0;
    PKI_ASSIGN_OR_RETURN(size_t prefix_len, EncodeRecord(r, buf));
    (void)prefix_len;
    uint8_t message[kCheckpointMessageSize];
    CheckpointMessage(ByteSpan(buf, kSignedPrefixSize), message);
    PKI_ASSIGN_OR_RETURN(size_t sig_len, signer_->Sign(message, r.signature));
    if (sig_len == 0 || sig_len > kMaxAuditSignatureSize) {
      return InternalError("journal: audit signature has an unusable size");
    }
    r.signature_size = static_cast<uint16_t>(sig_len);
  }
  PKI_ASSIGN_OR_RETURN(size_t len, EncodeRecord(r, buf));
  Status st = storage_->Write(RingKey(r.seq), ByteSpan(buf, len));
  if (!st.ok()) {
    needs_reload_ = true;
    return st;
  }
  JournalState next = state_;
  next.next_seq = r.seq + 1;
  next.head = RecordHash(ByteSpan(buf, len));
  if (r.entry.type == kRecordCheckpoint) next.last_checkpoint = r.seq + 1;
  st = SaveMeta(next);
  if (!st.ok()) {
    needs_reload_ = true;  // the record may be rolled forward by the reload
    return st;
  }
  state_ = next;
  return r.seq;
}

StatusOr<uint64_t> Journal::Append(const JournalEntry& entry) {
  if (entry.type == kRecordCheckpoint) {
    return InvalidArgumentError("journal: the checkpoint type is reserved");
  }
  PKI_RETURN_IF_ERROR(ReloadIfNeeded());
  const uint64_t since_checkpoint =
      state_.next_seq - (state_.last_checkpoint > 0 ? state_.last_checkpoint : 0);
  const bool checkpoint_due =
      config_.checkpoint_interval > 0 && since_checkpoint + 1 >= config_.checkpoint_interval;
  const uint64_t need = checkpoint_due ? 2 : 1;
  if (Free() < need) {
    return ResourceExhaustedError("journal full: export and acknowledge records first");
  }
  Record r;
  r.entry = entry;
  PKI_ASSIGN_OR_RETURN(uint64_t seq, AppendRecord(r, /*sign=*/false));
  if (checkpoint_due) {
    PKI_ASSIGN_OR_RETURN(uint64_t cp, Checkpoint(entry.time));
    (void)cp;
  }
  return seq;
}

StatusOr<uint64_t> Journal::Checkpoint(int64_t time) {
  PKI_RETURN_IF_ERROR(ReloadIfNeeded());
  if (Free() < 1) {
    return ResourceExhaustedError("journal full: export and acknowledge records first");
  }
  Record r;
  r.entry.type = kRecordCheckpoint;
  r.entry.time = time;
  r.entry.inputs_sha256 = state_.head;  // the head this checkpoint certifies
  return AppendRecord(r, /*sign=*/true);
}

StatusOr<size_t> Journal::ReadEncoded(uint64_t seq, MutableByteSpan buf) {
  if (seq < state_.first_seq || seq >= state_.next_seq) {
    return Status(StatusCode::kOutOfRange, "journal: record ")
        .AppendNumber(seq)
        .Append(" is not kept (acknowledged or not written)");
  }
  StatusOr<size_t> n = storage_->Read(RingKey(seq), buf);
  if (!n.ok()) {
    if (n.status().code() == StatusCode::kNotFound) {
      return Status(StatusCode::kDataLoss, "journal: record ").AppendNumber(seq).Append(" missing");
    }
    return n.status();
  }
  Record r;
  if (!DecodeRecord(buf.first(*n), &r).ok() || r.seq != seq) {
    return Status(StatusCode::kDataLoss, "journal: record ").AppendNumber(seq).Append(" corrupt");
  }
  return *n;
}

Status Journal::ReadRecord(uint64_t seq, Record* out) {
  PKI_RETURN_IF_ERROR(ReloadIfNeeded());
  uint8_t buf[kMaxRecordSize];
  PKI_ASSIGN_OR_RETURN(size_t n, ReadEncoded(seq, buf));
  return DecodeRecord(ByteSpan(buf, n), out);
}

StatusOr<ExportSummary> Journal::Export(uint64_t from_seq, MutableByteSpan out,
                                        size_t* out_size) {
  *out_size = 0;
  PKI_RETURN_IF_ERROR(ReloadIfNeeded());
  if (from_seq < state_.first_seq || from_seq >= state_.next_seq) {
    return Status(StatusCode::kOutOfRange, "journal: export from ")
        .AppendNumber(from_seq)
        .Append(": kept records are ")
        .AppendNumber(state_.first_seq)
        .Append("..")
        .AppendNumber(state_.next_seq)
        .Append(" (exclusive)");
  }
  ExportWriter writer(out, from_seq);
  ExportSummary sum;
  sum.first_seq = from_seq;
  uint8_t buf[kMaxRecordSize];
  Hash last_hash{};
  uint64_t seq = from_seq;
  for (; seq < state_.next_seq; ++seq) {
    PKI_ASSIGN_OR_RETURN(size_t n, ReadEncoded(seq, buf));
    if (!writer.Fits(n)) break;
    PKI_RETURN_IF_ERROR(writer.AddRecord(ByteSpan(buf, n)));
    Record r;
    PKI_RETURN_IF_ERROR(DecodeRecord(ByteSpan(buf, n), &r));
    if (seq == from_seq) sum.first_prev = r.prev;
    if (r.entry.type == kRecordCheckpoint) ++sum.checkpoints;
    last_hash = RecordHash(ByteSpan(buf, n));
  }
  if (writer.count() == 0) return OutOfRangeError("journal: export buffer too small");
  sum.last_seq = seq - 1;
  sum.count = writer.count();
  sum.head = last_hash;
  if (sum.last_seq + 1 == state_.next_seq && last_hash != state_.head) {
    return DataLossError("journal: stored records do not match the head");
  }
  PKI_ASSIGN_OR_RETURN(size_t size, writer.Finish(sum.last_seq, last_hash, *signer_));
  *out_size = size;
  if (sum.last_seq + 1 > exported_through_) exported_through_ = sum.last_seq + 1;
  return sum;
}

Status Journal::Acknowledge(uint64_t up_to_seq) {
  PKI_RETURN_IF_ERROR(ReloadIfNeeded());
  if (up_to_seq + 1 <= state_.first_seq) return OkStatus();  // freed already
  if (up_to_seq + 1 > exported_through_) {
    return FailedPreconditionError("journal: acknowledge only what was exported");
  }
  JournalState next = state_;
  next.first_seq = up_to_seq + 1;
  Status st = SaveMeta(next);
  if (!st.ok()) {
    needs_reload_ = true;
    return st;
  }
  state_ = next;
  return OkStatus();
}

StatusOr<uint64_t> Journal::RecordFailedAttempt() {
  PKI_RETURN_IF_ERROR(ReloadIfNeeded());
  JournalState next = state_;
  ++next.failed_attempts;
  Status st = SaveMeta(next);
  if (!st.ok()) {
    needs_reload_ = true;
    return st;
  }
  state_ = next;
  return next.failed_attempts;
}

}  // namespace pki::appliance::journal
