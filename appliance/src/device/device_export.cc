// device_export.cc — reading results and the journal out of the device.
#include <cstring>

#include "device/device.h"

namespace pki::appliance::device {

namespace {
constexpr size_t kChunk = 4096;  // link.options: ResultChunk.data, JournalChunk.data
}  // namespace

Status Device::FetchResult(const pki_appliance_v1_FetchResultRequest& req,
                           pki_appliance_v1_ResultChunk* out) {
  *out = pki_appliance_v1_ResultChunk_init_zero;
  if (result_size_ == 0) return NotFoundError("no result to fetch");
  if (req.offset > result_size_) {
    return InvalidArgumentError("offset beyond the result's ").AppendNumber(result_size_).Append(" bytes");
  }
  size_t n = result_size_ - req.offset;
  if (n > kChunk) n = kChunk;
  std::memcpy(out->data.bytes, result_ + req.offset, n);
  out->data.size = static_cast<pb_size_t>(n);
  out->offset = req.offset;
  out->total_size = static_cast<uint32_t>(result_size_);
  out->last = req.offset + n == result_size_;
  return OkStatus();
}

Status Device::ExportJournal(const pki_appliance_v1_ExportJournalRequest& req,
                             pki_appliance_v1_JournalChunk* out) {
  *out = pki_appliance_v1_JournalChunk_init_zero;
  PKI_ASSIGN_OR_RETURN(JournalExportChunk chunk,
                       ports_.journal->Export(req.from_sequence, MutableByteSpan(out->data.bytes)));
  out->data.size = static_cast<pb_size_t>(chunk.bytes);
  out->first_sequence = req.from_sequence;
  out->next_sequence = chunk.next_sequence;
  out->last = chunk.last;
  Sha256Bytes head = ports_.journal->Head();
  out->head_sha256.size = 32;
  std::memcpy(out->head_sha256.bytes, head.data(), 32);
  return OkStatus();
}

Status Device::AckExport(const pki_appliance_v1_AckExportRequest& req,
                         pki_appliance_v1_AckExportResponse* out) {
  *out = pki_appliance_v1_AckExportResponse_init_zero;
  if (req.head_sha256.size != 32) return InvalidArgumentError("head_sha256 must be 32 bytes");
  PKI_ASSIGN_OR_RETURN(uint64_t acked,
                       ports_.journal->AckExport(req.up_to_sequence,
                                                 ByteSpan(req.head_sha256.bytes, 32)));
  Sha256Bytes head;
  std::memcpy(head.data(), req.head_sha256.bytes, 32);
  Journal(EventType::kExportAcknowledged, head, Sha256Bytes{}, 0).status().Ignore();
  out->acknowledged_sequence = acked;
  return OkStatus();
}

}  // namespace pki::appliance::device
