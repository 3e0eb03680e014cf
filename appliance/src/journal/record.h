// record.h — one audit journal record: its fields, byte layout and hash.
//
// Layout (big-endian), 118 bytes plus the signature:
//    0  8  sequence number (0, 1, 2, ... never reused, only goes up)
//    8  2  type (RecordType; other values are the dispatcher's own)
//   10  2  custodians present: bit (i - 1) for share index i
//   12  8  time, Unix seconds (signed)
//   20 32  SHA-256 of the operation's inputs
//   52 32  SHA-256 of the operation's outputs
//   84 32  previous record's hash (32 zero bytes before record 0)
//  116  2  signature length s (0 unless a checkpoint; at most 128)
//  118  s  checkpoint signature by the device audit key over
//          "pki-journal-checkpoint-v1" || bytes [0, 116)
// The record's hash is SHA-256("pki-journal-record-v1" || all its bytes);
// the next record carries it as its previous hash (a hash chain).
#ifndef PKI_APPLIANCE_JOURNAL_RECORD_H_
#define PKI_APPLIANCE_JOURNAL_RECORD_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::appliance::journal {

using Hash = std::array<uint8_t, 32>;

inline constexpr size_t kRecordFixedSize = 118;
inline constexpr size_t kSignedPrefixSize = 116;
inline constexpr size_t kMaxAuditSignatureSize = 128;  // ECDSA P-256/P-384 DER fits
inline constexpr size_t kMaxRecordSize = kRecordFixedSize + kMaxAuditSignatureSize;

// Record types the journal itself writes or that every dispatcher shares.
enum RecordType : uint16_t {
  kRecordBoot = 1,
  kRecordProvision = 2,
  kRecordQuorum = 3,
  kRecordSignIntermediate = 4,
  kRecordIssueCrl = 5,
  kRecordRevoke = 6,
  kRecordCrossSign = 7,
  kRecordChangeCustodians = 8,
  kRecordSetTime = 9,
  kRecordDecommission = 10,
  kRecordFailedAttempt = 11,
  kRecordCheckpoint = 0x7F01,  // written only by Journal::Checkpoint
};

// What a caller journals for one operation.
struct JournalEntry {
  uint16_t type = 0;
  uint16_t custodians = 0;
  int64_t time = 0;
  Hash inputs_sha256{};
  Hash outputs_sha256{};
};

struct Record {
  uint64_t seq = 0;
  JournalEntry entry;
  Hash prev{};
  uint16_t signature_size = 0;
  std::array<uint8_t, kMaxAuditSignatureSize> signature{};
};

// EncodeRecord writes |r| to the front of |out| and returns its length.
// OUT_OF_RANGE if |out| is too small; INVALID_ARGUMENT if the signature is
// longer than kMaxAuditSignatureSize.
StatusOr<size_t> EncodeRecord(const Record& r, MutableByteSpan out);

// DecodeRecord parses exactly one record from |in|. INVALID_ARGUMENT naming
// the defect (length, signature size, a signature on a non-checkpoint or a
// checkpoint without one).
Status DecodeRecord(ByteSpan in, Record* out);

// RecordHash returns SHA-256("pki-journal-record-v1" || |encoded|).
Hash RecordHash(ByteSpan encoded);

// CheckpointMessage writes what a checkpoint's signature covers for the
// record whose first kSignedPrefixSize encoded bytes are |prefix| into |out|
// (at least kCheckpointMessageSize bytes) and returns its length.
inline constexpr size_t kCheckpointMessageSize = 25 + kSignedPrefixSize;
size_t CheckpointMessage(ByteSpan prefix, MutableByteSpan out);

}  // namespace pki::appliance::journal

#endif  // PKI_APPLIANCE_JOURNAL_RECORD_H_
