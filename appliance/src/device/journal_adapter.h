// journal_adapter.h — binds the device's JournalSink to the hash-chained
// journal (appliance/src/journal). Each exported chunk is one self-contained
// signed export (journal/export.h) of at most 4 KiB.
#ifndef PKI_APPLIANCE_DEVICE_JOURNAL_ADAPTER_H_
#define PKI_APPLIANCE_DEVICE_JOURNAL_ADAPTER_H_

#include "device/journal_sink.h"
#include "journal/journal.h"

namespace pki::appliance::device {

class JournalAdapter final : public JournalSink {
 public:
  // Borrows |journal| for its lifetime.
  explicit JournalAdapter(journal::Journal& journal) : journal_(journal) {}

  [[nodiscard]] StatusOr<uint64_t> Append(const JournalEvent& event) override;
  uint64_t NextSequence() const override { return journal_.state().next_seq; }
  uint64_t FirstSequence() const override { return journal_.state().first_seq; }
  Sha256Bytes Head() const override { return journal_.state().head; }
  // From the next sequence (nothing new) it returns an empty, last chunk.
  [[nodiscard]] StatusOr<JournalExportChunk> Export(uint64_t from, MutableByteSpan out) override;
  // |up_to| is the last acknowledged sequence (inclusive); |head| must be
  // that record's hash. INVALID_ARGUMENT if it is not.
  [[nodiscard]] StatusOr<uint64_t> AckExport(uint64_t up_to, ByteSpan head) override;

 private:
  journal::Journal& journal_;
};

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_JOURNAL_ADAPTER_H_
