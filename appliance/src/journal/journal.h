// journal.h — the appliance's hash-chained audit journal on hw::Storage.
//
// Records (record.h) live in a ring of `capacity` storage records (keys
// kRingKeyBase + seq % capacity); a meta record (kMetaKey) holds the next
// sequence number, the oldest kept record, the head hash, the last
// checkpoint, and the boot and failed-attempt counters. An append writes the
// record, then the meta record; each write is atomic (two-slot storage), and
// Open rolls forward a record written just before a power cut took the meta
// write, so sequence numbers only go up across restarts and power cuts.
//
// Forced audit: Append returns an error when the record cannot be made
// durable (storage failed, journal full); the caller must then refuse the
// operation and release nothing (DESIGN invariant 4). Space is freed only by
// Acknowledge after an Export. No heap; the signer is injected.
#ifndef PKI_APPLIANCE_JOURNAL_JOURNAL_H_
#define PKI_APPLIANCE_JOURNAL_JOURNAL_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/status_or.h"
#include "hw/storage.h"
#include "journal/audit_key.h"
#include "journal/export.h"
#include "journal/record.h"

namespace pki::appliance::journal {

inline constexpr uint32_t kMetaKey = 0x02000000u;      // hw/storage.h: journal range
inline constexpr uint32_t kRingKeyBase = 0x02000100u;
inline constexpr uint32_t kMaxCapacity = 0x00FFFE00u;  // keeps ring keys in range

struct JournalConfig {
  // Records the ring holds before an export must be acknowledged.
  uint32_t capacity = 1024;
  // A signed checkpoint is appended after every this many ordinary records
  // (0: only when Checkpoint() is called).
  uint32_t checkpoint_interval = 64;
};

// What the journal knows about itself (nothing secret).
struct JournalState {
  uint64_t next_seq = 0;          // sequence number of the next record
  uint64_t first_seq = 0;         // oldest record still kept (not yet acknowledged)
  Hash head{};                    // hash of record next_seq - 1 (zero if none)
  uint64_t last_checkpoint = 0;   // seq + 1 of the last checkpoint (0: none)
  uint64_t boot_count = 0;
  uint64_t failed_attempts = 0;
};

class Journal final {
  class Token {
    friend class Journal;
    Token() = default;
  };

 public:
  // Open loads (or, on an empty storage, creates) the journal, rolls forward
  // a record whose meta update a power cut lost, counts one boot and
  // persists it. Borrows |storage| and |signer| (they must outlive it).
  // INVALID_ARGUMENT for a bad config (capacity 2..kMaxCapacity, records of
  // kMaxRecordSize must fit the storage); FAILED_PRECONDITION if the stored
  // journal has another capacity; DATA_LOSS if the meta record is corrupt;
  // the storage error (UNAVAILABLE...) otherwise. |out| is empty on failure.
  [[nodiscard]] static Status Open(hw::Storage& storage, AuditSigner& signer,
                                   const JournalConfig& config, std::optional<Journal>& out);

  explicit Journal(Token) {}  // use Open
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Append makes |entry| durable as the next record and returns its sequence
  // number; then appends a checkpoint if the interval is reached.
  // RESOURCE_EXHAUSTED "journal full" if the ring has no room for the record
  // (and the checkpoint due after it): export and acknowledge first; INVALID_ARGUMENT for the reserved checkpoint
  // type; the storage or signer error otherwise. On any error the operation
  // being journaled must be refused. A record whose meta update failed is
  // rolled forward (it stays in the journal: over-reporting, never under).
  StatusOr<uint64_t> Append(const JournalEntry& entry);

  // Checkpoint appends a checkpoint record signed by the audit key at |time|
  // and returns its sequence number. Errors as Append.
  StatusOr<uint64_t> Checkpoint(int64_t time);

  // Export writes records from |from_seq| to the newest (as many as fit in
  // |out|, at least one) with a signed trailer (export.h) and returns the
  // summary of what it wrote; |out_size| gets the byte length. OUT_OF_RANGE
  // if |from_seq| is not a kept record (acknowledged already, or not yet
  // written) or |out| cannot hold one record and the trailer.
  StatusOr<ExportSummary> Export(uint64_t from_seq, MutableByteSpan out, size_t* out_size);

  // Acknowledge frees the ring records up to and including |up_to_seq|; OK
  // and nothing changes if they were freed already (a retried ack).
  // FAILED_PRECONDITION if |up_to_seq| was not covered by an Export since
  // Open; the storage error otherwise (nothing freed).
  [[nodiscard]] Status Acknowledge(uint64_t up_to_seq);

  // RecordFailedAttempt adds one to the persisted failed-attempts counter
  // and returns the new count; the storage error if it could not be saved.
  StatusOr<uint64_t> RecordFailedAttempt();

  // ReadRecord decodes kept record |seq| into |out|. OUT_OF_RANGE if it is
  // not kept; DATA_LOSS if the stored record is not the expected one.
  [[nodiscard]] Status ReadRecord(uint64_t seq, Record* out);

  const JournalState& state() const { return state_; }
  // Free returns how many ordinary records can still be appended.
  uint64_t Free() const;

 private:
  [[nodiscard]] Status Load();
  [[nodiscard]] Status SaveMeta(const JournalState& s);
  uint32_t RingKey(uint64_t seq) const {
    return kRingKeyBase + static_cast<uint32_t>(seq % config_.capacity);
  }
  StatusOr<uint64_t> AppendRecord(Record& r, bool sign);
  [[nodiscard]] Status ReloadIfNeeded();
  StatusOr<size_t> ReadEncoded(uint64_t seq, MutableByteSpan buf);

  hw::Storage* storage_ = nullptr;
  AuditSigner* signer_ = nullptr;
  JournalConfig config_;
  JournalState state_;
  bool needs_reload_ = false;        // a write failed: reload before the next change
  uint64_t exported_through_ = 0;    // seq + 1 of the last exported record (0: none)
};

}  // namespace pki::appliance::journal

#endif  // PKI_APPLIANCE_JOURNAL_JOURNAL_H_
