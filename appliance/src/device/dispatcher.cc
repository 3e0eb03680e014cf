#include "device/dispatcher.h"

#include <cstring>

namespace pki::appliance::device {

pki_appliance_v1_ErrorCode ErrorCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return pki_appliance_v1_ErrorCode_ERROR_NONE;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange: return pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted: return pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION;
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated: return pki_appliance_v1_ErrorCode_ERROR_PERMISSION_DENIED;
    case StatusCode::kNotFound: return pki_appliance_v1_ErrorCode_ERROR_NOT_FOUND;
    case StatusCode::kResourceExhausted: return pki_appliance_v1_ErrorCode_ERROR_RESOURCE_EXHAUSTED;
    case StatusCode::kDeadlineExceeded: return pki_appliance_v1_ErrorCode_ERROR_DEADLINE_EXCEEDED;
    case StatusCode::kDataLoss: return pki_appliance_v1_ErrorCode_ERROR_DATA_LOSS;
    case StatusCode::kAlreadyExists: return pki_appliance_v1_ErrorCode_ERROR_ALREADY_EXISTS;
    case StatusCode::kUnavailable: return pki_appliance_v1_ErrorCode_ERROR_UNAVAILABLE;
    case StatusCode::kUnimplemented: return pki_appliance_v1_ErrorCode_ERROR_UNIMPLEMENTED;
    case StatusCode::kCancelled:
    case StatusCode::kUnknown:
    case StatusCode::kInternal: return pki_appliance_v1_ErrorCode_ERROR_INTERNAL;
  }
  return pki_appliance_v1_ErrorCode_ERROR_INTERNAL;
}

void SetError(link::Response* out, pki_appliance_v1_ErrorCode code, std::string_view message) {
  uint32_t id = out->request_id;
  *out = pki_appliance_v1_Response_init_zero;
  out->request_id = id;
  out->which_body = pki_appliance_v1_Response_error_tag;
  out->body.error.code = code;
  size_t n = message.size() < sizeof(out->body.error.message) - 1
                 ? message.size()
                 : sizeof(out->body.error.message) - 1;
  std::memcpy(out->body.error.message, message.data(), n);
  out->body.error.message[n] = '\0';
}

void Dispatch(Device& device, const link::Request& req, link::Response* out) {
  *out = pki_appliance_v1_Response_init_zero;
  out->request_id = req.request_id;
  if (device.Tampered() && req.which_body != pki_appliance_v1_Request_get_status_tag &&
      req.which_body != pki_appliance_v1_Request_export_journal_tag) {
    SetError(out, pki_appliance_v1_ErrorCode_ERROR_TAMPERED,
             "tamper detected: secrets zeroized, only GetStatus and ExportJournal are served");
    return;
  }
  Status s;
  auto& b = out->body;
  switch (req.which_body) {
    case pki_appliance_v1_Request_get_status_tag:
      out->which_body = pki_appliance_v1_Response_status_tag;
      s = device.GetStatus(&b.status);
      break;
    case pki_appliance_v1_Request_init_tag:
      out->which_body = pki_appliance_v1_Response_init_tag;
      s = device.Init(req.body.init, &b.init);
      break;
    case pki_appliance_v1_Request_set_time_tag:
      out->which_body = pki_appliance_v1_Response_set_time_tag;
      s = device.SetTime(req.body.set_time, &b.set_time);
      break;
    case pki_appliance_v1_Request_begin_operation_tag:
      out->which_body = pki_appliance_v1_Response_begin_operation_tag;
      s = device.BeginOperation(req.body.begin_operation, &b.begin_operation);
      break;
    case pki_appliance_v1_Request_submit_share_tag:
      out->which_body = pki_appliance_v1_Response_submit_share_tag;
      s = device.SubmitShare(req.body.submit_share, &b.submit_share);
      break;
    case pki_appliance_v1_Request_execute_tag:
      out->which_body = pki_appliance_v1_Response_execute_tag;
      s = device.Execute(req.body.execute, &b.execute);
      break;
    case pki_appliance_v1_Request_abort_tag:
      out->which_body = pki_appliance_v1_Response_abort_tag;
      s = device.Abort(req.body.abort);
      break;
    case pki_appliance_v1_Request_fetch_result_tag:
      out->which_body = pki_appliance_v1_Response_result_chunk_tag;
      s = device.FetchResult(req.body.fetch_result, &b.result_chunk);
      break;
    case pki_appliance_v1_Request_export_journal_tag:
      out->which_body = pki_appliance_v1_Response_journal_chunk_tag;
      s = device.ExportJournal(req.body.export_journal, &b.journal_chunk);
      break;
    case pki_appliance_v1_Request_ack_export_tag:
      out->which_body = pki_appliance_v1_Response_ack_export_tag;
      s = device.AckExport(req.body.ack_export, &b.ack_export);
      break;
    case pki_appliance_v1_Request_sign_transcript_tag:
      out->which_body = pki_appliance_v1_Response_sign_transcript_tag;
      s = device.SignTranscript(req.body.sign_transcript, &b.sign_transcript);
      break;
    case pki_appliance_v1_Request_get_root_certificate_tag:
      out->which_body = pki_appliance_v1_Response_root_certificate_tag;
      s = device.GetRootCertificate(&b.root_certificate);
      break;
    case pki_appliance_v1_Request_confirm_share_tag:
      out->which_body = pki_appliance_v1_Response_confirm_share_tag;
      s = device.ConfirmShare(req.body.confirm_share, &b.confirm_share);
      break;
    case pki_appliance_v1_Request_cancel_split_tag:
      out->which_body = pki_appliance_v1_Response_cancel_split_tag;
      s = device.CancelSplit();
      break;
    default:
      SetError(out, pki_appliance_v1_ErrorCode_ERROR_BAD_MESSAGE, "request has no known body");
      return;
  }
  if (!s.ok()) SetError(out, ErrorCodeFor(s.code()), s.message());
}

}  // namespace pki::appliance::device
