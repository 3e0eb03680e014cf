// journal_sink.h — the narrow view of the audit journal the device needs:
// append one entry durably, read the chain head, export and acknowledge.
//
// The journal proper (hash chain, checkpoints, storage) is
// appliance/src/journal; journal_adapter.h binds it to this interface. The
// entry mirrors journal::JournalEntry so the adapter is a copy.
#ifndef PKI_APPLIANCE_DEVICE_JOURNAL_SINK_H_
#define PKI_APPLIANCE_DEVICE_JOURNAL_SINK_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::appliance::device {

using Sha256Bytes = std::array<uint8_t, 32>;

// Entry types. 1..11 are the journal's shared types (journal/record.h); the
// device adds its session events from 0x0100.
enum class EventType : uint16_t {
  kBoot = 1,
  kProvision = 2,
  kQuorum = 3,               // quorum reached for an operation
  kSignIntermediate = 4,
  kIssueCrl = 5,
  kRevoke = 6,
  kCrossSign = 7,
  kChangeCustodians = 8,
  kSetTime = 9,
  kDecommission = 10,
  kFailedAttempt = 11,       // a share was rejected
  kBeginOperation = 0x0101,  // a quorum session opened (inputs = request digest)
  kShareAccepted = 0x0102,
  kAbort = 0x0103,
  kSessionExpired = 0x0104,
  kTamper = 0x0105,
  kExportAcknowledged = 0x0106,
  kSignTranscript = 0x0107,  // a transcript signed with the audit key (inputs = its SHA-256)
  kLockout = 0x0108,         // too many rejected shares in a row: quorum sessions refused for a while
  kProvisionRecovered = 0x0109,  // boot finished an Init cut off after its split commit (outputs = root SHA-256)
};

struct JournalEvent {
  EventType type = EventType::kBoot;
  uint16_t custodians = 0;      // bit (i - 1) per share index i involved
  int64_t time = 0;             // device time, unix seconds (0 if unknown)
  Sha256Bytes inputs_sha256{};  // what the operation was asked
  Sha256Bytes outputs_sha256{}; // what it produced (zero if nothing)
};

struct JournalExportChunk {
  size_t bytes = 0;             // whole encoded records written to the buffer
  uint64_t next_sequence = 0;   // where the next chunk starts
  bool last = false;            // nothing after next_sequence yet
};

class JournalSink {
 public:
  virtual ~JournalSink() = default;

  // Append records |event| durably (on the medium when it returns OK) and
  // returns its sequence number. RESOURCE_EXHAUSTED if the journal is full
  // (export and acknowledge first); UNAVAILABLE/DATA_LOSS from storage. A
  // failed append means the caller must not release its result.
  [[nodiscard]] virtual StatusOr<uint64_t> Append(const JournalEvent& event) = 0;

  // NextSequence is the sequence number the next Append gets. Never fails.
  virtual uint64_t NextSequence() const = 0;
  // FirstSequence is the oldest record still kept (not yet acknowledged):
  // where the next export should start. Never fails.
  virtual uint64_t FirstSequence() const = 0;
  // Head is the hash of the last record (zeros when empty). Never fails.
  virtual Sha256Bytes Head() const = 0;

  // Export writes whole records with sequence >= |from| into |out| (as many
  // as fit) and says where to continue. NOT_FOUND if |from| was already
  // reclaimed; OUT_OF_RANGE if |out| cannot hold one record.
  [[nodiscard]] virtual StatusOr<JournalExportChunk> Export(uint64_t from,
                                                            MutableByteSpan out) = 0;

  // AckExport lets the journal reclaim records below |up_to| once the host
  // proves it holds them: |head| must be the hash of record |up_to| - 1.
  // Returns the acknowledged sequence. INVALID_ARGUMENT if |head| does not
  // match or |up_to| is beyond the journal.
  [[nodiscard]] virtual StatusOr<uint64_t> AckExport(uint64_t up_to, ByteSpan head) = 0;
};

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_JOURNAL_SINK_H_
