#include "device/journal_adapter.h"

#include "base/secret.h"

namespace pki::appliance::device {

StatusOr<uint64_t> JournalAdapter::Append(const JournalEvent& event) {
  journal::JournalEntry e;
  e.type = static_cast<uint16_t>(event.type);
  e.custodians = event.custodians;
  e.time = event.time;
  e.inputs_sha256 = event.inputs_sha256;
  e.outputs_sha256 = event.outputs_sha256;
  return journal_.Append(e);
}

StatusOr<JournalExportChunk> JournalAdapter::Export(uint64_t from, MutableByteSpan out) {
  JournalExportChunk chunk;
  if (from == journal_.state().next_seq) {
    chunk.next_sequence = from;
    chunk.last = true;
    return chunk;
  }
  size_t size = 0;
  PKI_ASSIGN_OR_RETURN(journal::ExportSummary sum, journal_.Export(from, out, &size));
  chunk.bytes = size;
  chunk.next_sequence = sum.last_seq + 1;
  chunk.last = chunk.next_sequence == journal_.state().next_seq;
  return chunk;
}

StatusOr<uint64_t> JournalAdapter::AckExport(uint64_t up_to, ByteSpan head) {
  journal::Record record;
  Status s = journal_.ReadRecord(up_to, &record);
  if (!s.ok()) {
    return InvalidArgumentError("ack: sequence is not a kept record: ").Append(s.message());
  }
  uint8_t encoded[journal::kMaxRecordSize];
  PKI_ASSIGN_OR_RETURN(size_t n, journal::EncodeRecord(record, encoded));
  journal::Hash h = journal::RecordHash(ByteSpan(encoded, n));
  if (head.size() != h.size() || !ConstantTimeEqual(head, ByteSpan(h))) {
    return InvalidArgumentError("ack: head hash does not match the journal's record");
  }
  PKI_RETURN_IF_ERROR(journal_.Acknowledge(up_to));
  return up_to;
}

}  // namespace pki::appliance::device
