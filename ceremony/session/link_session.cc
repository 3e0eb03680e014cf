#include "ceremony/session/link_session.h"

#include "base/secret.h"
#include "ceremony/fingerprint/fingerprint.h"

namespace pki::ceremony {

namespace lv1 = ::pki::appliance::v1;

namespace {

StatusCode CodeOf(lv1::ErrorCode e) {
  switch (e) {
    case lv1::ERROR_INVALID_ARGUMENT:
    case lv1::ERROR_BAD_FRAME:
    case lv1::ERROR_BAD_MESSAGE:
      return StatusCode::kInvalidArgument;
    case lv1::ERROR_FAILED_PRECONDITION:
      return StatusCode::kFailedPrecondition;
    case lv1::ERROR_PERMISSION_DENIED:
      return StatusCode::kPermissionDenied;
    case lv1::ERROR_NOT_FOUND:
      return StatusCode::kNotFound;
    case lv1::ERROR_RESOURCE_EXHAUSTED:
      return StatusCode::kResourceExhausted;
    case lv1::ERROR_DEADLINE_EXCEEDED:
      return StatusCode::kDeadlineExceeded;
    case lv1::ERROR_DATA_LOSS:
      return StatusCode::kDataLoss;
    case lv1::ERROR_ALREADY_EXISTS:
      return StatusCode::kAlreadyExists;
    case lv1::ERROR_UNAVAILABLE:
      return StatusCode::kUnavailable;
    case lv1::ERROR_UNIMPLEMENTED:
      return StatusCode::kUnimplemented;
    default:
      return StatusCode::kInternal;
  }
}

// WipeString overwrites a std::string that held a passphrase before it is freed.
void WipeString(std::string* s) { SecureZero(s->data(), s->size()); }

}  // namespace

StatusOr<std::unique_ptr<LinkApplianceSession>> LinkApplianceSession::Create(
    std::unique_ptr<host_agent::LinkClient> client, std::string root_cert_der) {
  if (client == nullptr) return InvalidArgumentError("no link client");
  return std::unique_ptr<LinkApplianceSession>(new LinkApplianceSession(std::move(client), std::move(root_cert_der)));
}

StatusOr<lv1::Response> LinkApplianceSession::Call(lv1::Request req, int timeout_ms) {
  PKI_ASSIGN_OR_RETURN(lv1::Response resp, client_->Call(std::move(req), timeout_ms));
  if (resp.has_error()) return Status(CodeOf(resp.error().code()), "appliance: ").Append(resp.error().message());
  return resp;
}

StatusOr<std::string> LinkApplianceSession::FetchAll() {
  std::string out;
  for (int guard = 0; guard < 4096; ++guard) {
    lv1::Request req;
    req.mutable_fetch_result()->set_offset(static_cast<uint32_t>(out.size()));
    PKI_ASSIGN_OR_RETURN(lv1::Response resp, Call(std::move(req)));
    if (!resp.has_result_chunk()) return InternalError("appliance: FetchResult answered with another body");
    out += resp.result_chunk().data();
    if (resp.result_chunk().last() || resp.result_chunk().data().empty()) return out;
  }
  return InternalError("appliance: result larger than expected");
}

StatusOr<ApplianceStatus> LinkApplianceSession::GetStatus() {
  lv1::Request req;
  req.mutable_get_status();
  PKI_ASSIGN_OR_RETURN(lv1::Response resp, Call(std::move(req), 10000));
  if (!resp.has_status()) return InternalError("appliance: GetStatus answered with another body");
  const lv1::StatusResponse& s = resp.status();
  ApplianceStatus out;
  out.state = lv1::DeviceState_Name(s.state());
  out.device_id = s.device_id();
  out.firmware_version = s.firmware_version();
  out.production_build = s.production_build();
  out.root_cert_sha256 = s.root_cert_sha256();
  out.journal_sequence = s.journal_sequence();
  out.journal_first_sequence = s.journal_first_sequence();
  out.journal_head = s.journal_head();
  out.crl_number = s.crl_number();
  out.threshold = s.threshold();
  out.consecutive_failures = s.consecutive_failures();
  out.lockout_seconds = s.lockout_seconds();
  if (s.pending_operation() != lv1::OPERATION_UNSPECIFIED) {
    out.pending_operation = lv1::Operation_Name(s.pending_operation()).substr(sizeof("OPERATION_") - 1);
    out.shares_accepted = s.shares_accepted();
  }
  for (const auto& c : s.custodians()) out.custodians.push_back(c);
  return out;
}

StatusOr<std::string> LinkApplianceSession::RootCertificateDer() {
  lv1::Request req;
  req.mutable_get_root_certificate();
  auto resp = Call(std::move(req), 10000);
  if (!resp.ok()) {
    // Older firmware: fall back to the media copy (the runner checks it
    // against the SHA-256 GetStatus reports).
    if (resp.status().code() != StatusCode::kUnimplemented &&
        resp.status().code() != StatusCode::kInvalidArgument) {
      return resp.status();
    }
    if (root_der_.empty()) return FailedPreconditionError("no root certificate: pass --root-cert (out/root.crt)");
    return root_der_;
  }
  if (!resp->has_root_certificate() || resp->root_certificate().der().empty()) {
    return InternalError("appliance: GetRootCertificate answered with another body");
  }
  PKI_ASSIGN_OR_RETURN(ApplianceStatus st, GetStatus());
  if (st.root_cert_sha256.empty() || Sha256(AsBytes(resp->root_certificate().der())) != st.root_cert_sha256) {
    return DataLossError("appliance: root certificate does not match the root_cert_sha256 it reports");
  }
  root_der_ = resp->root_certificate().der();
  return root_der_;
}

StatusOr<OperationResult> LinkApplianceSession::Init(const lv1::InitRequest& request,
                                                     const std::vector<CustodianPassphrase>& passphrases) {
  if (passphrases.size() != static_cast<size_t>(request.custodians_size())) {
    return InvalidArgumentError("one passphrase per custodian is needed");
  }
  lv1::Request req;
  *req.mutable_init() = request;
  for (int i = 0; i < request.custodians_size(); ++i) {
    req.mutable_init()->mutable_custodians(i)->set_passphrase(
        std::string(passphrases[static_cast<size_t>(i)].passphrase.ViewChars(SecretAccess::Grant())));
  }
  auto resp = Call(req);
  for (auto& c : *req.mutable_init()->mutable_custodians()) WipeString(c.mutable_passphrase());
  if (!resp.ok()) return resp.status();
  if (!resp->has_init()) return InternalError("appliance: Init answered with another body");
  OperationResult out;
  PKI_ASSIGN_OR_RETURN(out.result_der, FetchAll());
  root_der_ = out.result_der;
  out.journal_sequence = resp->init().journal_sequence();
  for (const auto& s : resp->init().shares()) out.shares.push_back(WrappedShareFile{s.custodian(), s.wrapped()});
  return out;
}

StatusOr<uint32_t> LinkApplianceSession::ConfirmShare(const std::string& custodian, const std::string& wrapped_share,
                                                      const SecretBuffer& passphrase, bool* committed) {
  lv1::Request req;
  auto* c = req.mutable_confirm_share();
  c->set_custodian(custodian);
  c->set_wrapped_share(wrapped_share);
  c->set_passphrase(std::string(passphrase.ViewChars(SecretAccess::Grant())));
  auto resp = Call(req);
  WipeString(req.mutable_confirm_share()->mutable_passphrase());
  if (!resp.ok()) return resp.status();
  if (!resp->has_confirm_share()) return InternalError("appliance: ConfirmShare answered with another body");
  *committed = resp->confirm_share().committed();
  return resp->confirm_share().confirmed();
}

Status LinkApplianceSession::CancelSplit() {
  lv1::Request req;
  req.mutable_cancel_split();
  return Call(std::move(req)).status();
}

StatusOr<OperationPreview> LinkApplianceSession::Begin(const lv1::BeginOperationRequest& request) {
  lv1::Request req;
  *req.mutable_begin_operation() = request;
  PKI_ASSIGN_OR_RETURN(lv1::Response resp, Call(std::move(req)));
  if (!resp.has_begin_operation()) return InternalError("appliance: BeginOperation answered with another body");
  const auto& b = resp.begin_operation();
  OperationPreview p;
  p.nonce = b.nonce();
  p.request_sha256 = b.request_sha256();
  p.displayed_words = b.pgp_words();
  p.tbs_sha256 = b.tbs_sha256();
  p.preview = b.preview();
  p.shares_needed = b.shares_needed();
  if (!b.tbs_sha256().empty()) {
    auto tbs = FetchAll();
    if (!tbs.ok()) {
      lv1::Request abort;
      abort.mutable_abort()->set_nonce(b.nonce());
      Call(std::move(abort)).status().Ignore();
      return tbs.status();
    }
    p.tbs_der = std::move(*tbs);
  }
  return p;
}

StatusOr<uint32_t> LinkApplianceSession::SubmitShare(const std::string& nonce, const std::string& custodian,
                                                     const std::string& wrapped_share, const SecretBuffer& passphrase) {
  lv1::Request req;
  auto* s = req.mutable_submit_share();
  s->set_nonce(nonce);
  s->set_custodian(custodian);
  s->set_wrapped_share(wrapped_share);
  s->set_passphrase(std::string(passphrase.ViewChars(SecretAccess::Grant())));
  auto resp = Call(req);
  WipeString(req.mutable_submit_share()->mutable_passphrase());
  if (!resp.ok()) return resp.status();
  if (!resp->has_submit_share()) return InternalError("appliance: SubmitShare answered with another body");
  return resp->submit_share().shares_accepted();
}

StatusOr<OperationResult> LinkApplianceSession::Execute(const std::string& nonce) {
  lv1::Request req;
  req.mutable_execute()->set_nonce(nonce);
  PKI_ASSIGN_OR_RETURN(lv1::Response resp, Call(std::move(req)));
  if (!resp.has_execute()) return InternalError("appliance: Execute answered with another body");
  OperationResult out;
  out.journal_sequence = resp.execute().journal_sequence();
  for (const auto& s : resp.execute().shares()) out.shares.push_back(WrappedShareFile{s.custodian(), s.wrapped()});
  if (resp.execute().result_size() > 0) {
    PKI_ASSIGN_OR_RETURN(out.result_der, FetchAll());
  }
  return out;
}

Status LinkApplianceSession::Abort(const std::string& nonce) {
  lv1::Request req;
  req.mutable_abort()->set_nonce(nonce);
  return Call(std::move(req)).status();
}

StatusOr<std::string> LinkApplianceSession::ExportJournal(uint64_t from_sequence, std::string* out_head,
                                                          uint64_t* out_next_sequence) {
  std::string out;
  uint64_t next = from_sequence;
  for (int guard = 0; guard < 100000; ++guard) {
    lv1::Request req;
    req.mutable_export_journal()->set_from_sequence(next);
    PKI_ASSIGN_OR_RETURN(lv1::Response resp, Call(std::move(req)));
    if (!resp.has_journal_chunk()) return InternalError("appliance: ExportJournal answered with another body");
    const auto& c = resp.journal_chunk();
    out += c.data();
    *out_head = c.head_sha256();
    if (c.last() || c.next_sequence() <= next) {
      next = c.next_sequence();
      break;
    }
    next = c.next_sequence();
  }
  *out_next_sequence = next;
  return out;
}

Status LinkApplianceSession::AckExport(uint64_t up_to_sequence, const std::string& head) {
  lv1::Request req;
  req.mutable_ack_export()->set_up_to_sequence(up_to_sequence);
  req.mutable_ack_export()->set_head_sha256(head);
  return Call(std::move(req)).status();
}

StatusOr<std::string> LinkApplianceSession::SignAuditDigest(const std::string& sha256) {
  if (sha256.size() != 32) return InvalidArgumentError("transcript digest must be 32 bytes");
  lv1::Request req;
  req.mutable_sign_transcript()->set_transcript_sha256(sha256);
  PKI_ASSIGN_OR_RETURN(lv1::Response resp, Call(std::move(req), 30000));
  if (!resp.has_sign_transcript()) return InternalError("appliance: SignTranscript answered with another body");
  const auto& r = resp.sign_transcript();
  if (r.signature().empty()) return InternalError("appliance: SignTranscript returned no signature");
  if (!audit_der_.empty() && r.audit_public_key() != audit_der_) {
    return DataLossError("appliance: SignTranscript used another audit key than GetStatus reports");
  }
  return r.signature();
}

StatusOr<std::string> LinkApplianceSession::AuditPublicKeyDer() {
  lv1::Request req;
  req.mutable_get_status();
  PKI_ASSIGN_OR_RETURN(lv1::Response resp, Call(std::move(req), 10000));
  if (!resp.has_status() || resp.status().audit_public_key().empty()) {
    return UnimplementedError("the appliance reports no audit public key");
  }
  audit_der_ = resp.status().audit_public_key();
  return audit_der_;
}

}  // namespace pki::ceremony
