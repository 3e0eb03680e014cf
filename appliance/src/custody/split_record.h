// split_record.h — the active split as stored on the device (storage key
// kSplitRecordKey). Public data only: names, commitments, the KEK digest.
//
// Layout (big-endian): "PKCR" | version 1 | M | N | 0 | split id (16) |
// KEK digest (32) | N x [ name length (1) | name (31, zero padded) |
// commitment (32) ]. At most 56 + 16 * 64 = 1080 bytes. The storage layer
// adds its own CRC and power-fail safety.
#ifndef PKI_APPLIANCE_CUSTODY_SPLIT_RECORD_H_
#define PKI_APPLIANCE_CUSTODY_SPLIT_RECORD_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"
#include "custody/types.h"

namespace pki::appliance::custody {

inline constexpr uint32_t kSplitRecordKey = 0x01000001u;  // hw/storage.h: custody range
inline constexpr size_t kSplitRecordHeaderSize = 56;
inline constexpr size_t kSplitRecordEntrySize = 1 + kMaxNameSize + kCommitmentSize;
inline constexpr size_t kMaxSplitRecordSize =
    kSplitRecordHeaderSize + kMaxShares * kSplitRecordEntrySize;

// EncodeSplitRecord writes |split| to the front of |out| and returns the
// length. INVALID_ARGUMENT if |split| has bad M/N or an empty name;
// OUT_OF_RANGE if |out| is too small.
StatusOr<size_t> EncodeSplitRecord(const SplitInfo& split, MutableByteSpan out);

// DecodeSplitRecord parses |record| into |out|. DATA_LOSS naming the defect
// if it is not a well-formed split record (the device's own record is
// corrupt: custody refuses to guess).
Status DecodeSplitRecord(ByteSpan record, SplitInfo* out);

}  // namespace pki::appliance::custody

#endif  // PKI_APPLIANCE_CUSTODY_SPLIT_RECORD_H_
