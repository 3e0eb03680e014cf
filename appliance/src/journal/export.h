// export.h — the exported journal's byte format, its writer (on the
// device) and its verifier (a pure function over the bytes and the audit
// public key, for the host).
//
// Format (big-endian):
//    0  4  magic "PKJX"
//    4  1  version 1
//    5  3  zero
//    8  8  first sequence number F
//   16  4  record count n (>= 1)
//   20     n x [ length (2) | record (record.h) ], sequences F .. F+n-1
//   then the trailer:
//          "PKJT" | last sequence (8) | head hash (32) = hash of the last
//          record | signature length (2) | signature by the audit key over
//          "pki-journal-export-v1" || bytes [0, 20) || last sequence || head
// The records chain by hash; checkpoint records carry their own signature;
// the trailer signs the export's extent and end, so an edited, reordered,
// dropped, inserted or truncated record fails verification. The first
// record's previous hash links the export to the one before it (compare it
// with that export's head), or is zero for an export from record 0.
#ifndef PKI_APPLIANCE_JOURNAL_EXPORT_H_
#define PKI_APPLIANCE_JOURNAL_EXPORT_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"
#include "journal/audit_key.h"
#include "journal/record.h"

namespace pki::appliance::journal {

inline constexpr size_t kExportHeaderSize = 20;
inline constexpr size_t kExportTrailerFixedSize = 4 + 8 + 32 + 2;
inline constexpr size_t kMaxExportTrailerSize = kExportTrailerFixedSize + kMaxAuditSignatureSize;

// ExportWriter builds an export in a caller buffer (borrowed).
class ExportWriter final {
 public:
  ExportWriter(MutableByteSpan out, uint64_t first_seq) : out_(out), first_seq_(first_seq) {}
  // Fits is true if a record of |size| bytes still fits with the trailer.
  bool Fits(size_t size) const;
  // AddRecord appends one encoded record; OUT_OF_RANGE if it does not fit.
  [[nodiscard]] Status AddRecord(ByteSpan encoded);
  // Finish writes the header and the signed trailer for records ending at
  // |last_seq| with hash |head|; returns the export's length. FAILED_
  // PRECONDITION if no record was added; the signer's error otherwise.
  StatusOr<size_t> Finish(uint64_t last_seq, const Hash& head, AuditSigner& signer);
  uint32_t count() const { return count_; }

 private:
  MutableByteSpan out_;
  uint64_t first_seq_;
  uint32_t count_ = 0;
  size_t used_ = kExportHeaderSize;
};

// What a verified export covers (nothing secret).
struct ExportSummary {
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint32_t count = 0;
  uint32_t checkpoints = 0;
  Hash first_prev{};  // link to the previous export's head (zero from record 0)
  Hash head{};
};

// VerifyJournalExport checks |exported| (borrowed) against the audit key
// behind |verifier| and returns what it covers. DATA_LOSS naming the
// record ("journal export: record seq 17: ...") or the part (header,
// trailer) that fails: a bad layout, a sequence out of order (reordered,
// dropped or inserted records), a broken hash link (an edited record), a
// checkpoint or trailer signature that does not verify, a truncation.
StatusOr<ExportSummary> VerifyJournalExport(ByteSpan exported, const AuditVerifier& verifier);

// VerifyJournalExportStream verifies exports written back to back (the
// host's file of a multi-chunk ExportJournal: each chunk is one signed
// export): each must verify and continue the one before it (next sequence,
// previous hash = its head). The summary spans them all. DATA_LOSS naming
// the chunk that fails.
StatusOr<ExportSummary> VerifyJournalExportStream(ByteSpan exported, const AuditVerifier& verifier);

// VerifyJournalExportWithKey is VerifyJournalExportStream with the audit public key
// as DER SubjectPublicKeyInfo; INVALID_ARGUMENT if the key does not parse.
StatusOr<ExportSummary> VerifyJournalExportWithKey(ByteSpan exported, ByteSpan audit_spki_der);

}  // namespace pki::appliance::journal

#endif  // PKI_APPLIANCE_JOURNAL_EXPORT_H_
