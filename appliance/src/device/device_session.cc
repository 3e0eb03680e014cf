// device_session.cc — quorum sessions: BeginOperation, SubmitShare, Execute,
// Abort, and the operations that need no CA (set time, decommission, change
// custodians).
#include <cstdio>
#include <cstring>

#include "base/secret.h"
#include "crypto/digest.h"
#include "device/device.h"
#include "device/device_time.h"
#include "device/pgp_words.h"
#include "device/screen.h"
#include "link/codec.h"
#include "pb_encode.h"

namespace pki::appliance::device {
namespace {

Sha256Bytes ToBytes(const crypto::Sha256Digest& d) {
  Sha256Bytes out;
  std::memcpy(out.data(), d.data(), out.size());
  return out;
}

const char* OperationName(pki_appliance_v1_Operation op) {
  switch (op) {
    case pki_appliance_v1_Operation_OPERATION_SIGN_INTERMEDIATE: return "SIGN INTERMEDIATE";
    case pki_appliance_v1_Operation_OPERATION_ISSUE_CRL: return "ISSUE CRL";
    case pki_appliance_v1_Operation_OPERATION_REVOKE: return "REVOKE";
    case pki_appliance_v1_Operation_OPERATION_CROSS_SIGN: return "CROSS SIGN";
    case pki_appliance_v1_Operation_OPERATION_CHANGE_CUSTODIANS: return "CHANGE CUSTODIANS";
    case pki_appliance_v1_Operation_OPERATION_SET_TIME: return "SET TIME";
    case pki_appliance_v1_Operation_OPERATION_DECOMMISSION: return "DECOMMISSION";
    default: return "UNKNOWN";
  }
}

StatusOr<pki_appliance_v1_Operation> OperationOf(const pki_appliance_v1_BeginOperationRequest& r) {
  switch (r.which_params) {
    case pki_appliance_v1_BeginOperationRequest_sign_intermediate_tag:
      return pki_appliance_v1_Operation_OPERATION_SIGN_INTERMEDIATE;
    case pki_appliance_v1_BeginOperationRequest_issue_crl_tag:
      return pki_appliance_v1_Operation_OPERATION_ISSUE_CRL;
    case pki_appliance_v1_BeginOperationRequest_revoke_tag:
      return pki_appliance_v1_Operation_OPERATION_REVOKE;
    case pki_appliance_v1_BeginOperationRequest_cross_sign_tag:
      return pki_appliance_v1_Operation_OPERATION_CROSS_SIGN;
    case pki_appliance_v1_BeginOperationRequest_change_custodians_tag:
      return pki_appliance_v1_Operation_OPERATION_CHANGE_CUSTODIANS;
    case pki_appliance_v1_BeginOperationRequest_set_time_tag:
      return pki_appliance_v1_Operation_OPERATION_SET_TIME;
    case pki_appliance_v1_BeginOperationRequest_decommission_tag:
      return pki_appliance_v1_Operation_OPERATION_DECOMMISSION;
    default:
      return InvalidArgumentError("BeginOperation names no operation");
  }
}

// Rest is the unused tail of the NUL-terminated text in |out| (capacity
// |cap|), for appending with snprintf and a literal format.
struct Tail {
  char* at;
  size_t room;
};
Tail Rest(char* out, size_t cap) {
  size_t len = std::strlen(out);
  return Tail{out + len, cap - len};
}

}  // namespace

// RequestDigest is SHA-256 of the nanopb encoding of |req| with every
// custodian passphrase emptied (a digest of a low-entropy passphrase shown on
// a screen would invite guessing). The host computes the same over its
// protobuf encoding (docs/appliance-link.md). The encoding is hashed as
// nanopb writes it: no buffer for the ~5 KiB encoding.
//
// Only change-custodians requests carry passphrases. Their blanked copy
// needs just the ChangeCustodiansRequest: a BeginOperationRequest is one
// oneof, so its encoding is that member's tag and length-prefixed
// submessage, which pb_encode_submessage writes exactly as pb_encode of the
// whole request would (device_test checks the digest against the latter).
// |room| takes the copy and is wiped before returning.
static StatusOr<Sha256Bytes> RequestDigest(const pki_appliance_v1_BeginOperationRequest& req,
                                           pki_appliance_v1_ChangeCustodiansRequest* room) {
  crypto::Hasher hasher(crypto::HashAlg::kSha256);
  pb_ostream_t os = {};
  os.callback = [](pb_ostream_t* stream, const pb_byte_t* buf, size_t count) {
    static_cast<crypto::Hasher*>(stream->state)->Update(ByteSpan(buf, count));
    return true;
  };
  os.state = &hasher;
  os.max_size = pki_appliance_v1_BeginOperationRequest_size;
  bool ok = false;
  if (req.which_params == pki_appliance_v1_BeginOperationRequest_change_custodians_tag) {
    std::memcpy(room, &req.params.change_custodians, sizeof(*room));
    for (pb_size_t i = 0; i < room->custodians_count; ++i) {
      SecureZero(room->custodians[i].passphrase, sizeof(room->custodians[i].passphrase));
    }
    ok = pb_encode_tag(&os, PB_WT_STRING, pki_appliance_v1_BeginOperationRequest_change_custodians_tag) &&
         pb_encode_submessage(&os, pki_appliance_v1_ChangeCustodiansRequest_fields, room);
    SecureZero(room, sizeof(*room));
  } else {
    ok = pb_encode(&os, pki_appliance_v1_BeginOperationRequest_fields, &req);
  }
  if (!ok) return InternalError("cannot encode the request for its digest");
  Sha256Bytes out;
  StatusOr<size_t> n = hasher.Finish(MutableByteSpan(out.data(), out.size()));
  if (!n.ok()) return n.status();
  return out;
}

Status Device::PrepareBuiltin(const pki_appliance_v1_BeginOperationRequest& req, int64_t now,
                              PreparedOperation* out) {
  out->time = now;
  switch (req.which_params) {
    case pki_appliance_v1_BeginOperationRequest_set_time_tag: {
      int64_t t = req.params.set_time.unix_seconds;
      if (t < record_.time_lower_bound) {
        return InvalidArgumentError("set time would move time backwards below the lower bound ")
            .AppendNumber(static_cast<uint64_t>(record_.time_lower_bound));
      }
      std::snprintf(out->preview.data(), out->preview.size(),
                    "set the device time to %lld (unix seconds; now %lld, lower bound %lld)",
                    static_cast<long long>(t), static_cast<long long>(now),
                    static_cast<long long>(record_.time_lower_bound));
      return OkStatus();
    }
    case pki_appliance_v1_BeginOperationRequest_decommission_tag:
      std::snprintf(out->preview.data(), out->preview.size(),
                    "DECOMMISSION: erase the sealed root key for good. Reason: %s",
                    req.params.decommission.reason);
      return OkStatus();
    case pki_appliance_v1_BeginOperationRequest_change_custodians_tag: {
      const auto& cc = req.params.change_custodians;
      PKI_RETURN_IF_ERROR(custody::CheckSplitParameters(cc.threshold, cc.custodians_count));
      for (pb_size_t i = 0; i < cc.custodians_count; ++i) {
        custody::CustodianName name;
        PKI_RETURN_IF_ERROR(name.Set(cc.custodians[i].name));
        size_t plen = std::strlen(cc.custodians[i].passphrase);
        if (plen < custody::kMinPassphraseSize) {
          return InvalidArgumentError("passphrase of new custodian ")
              .Append(cc.custodians[i].name)
              .Append(" is shorter than 8 characters");
        }
      }
      std::snprintf(out->preview.data(), out->preview.size(), "change custodians: new quorum %u of %u:",
                    static_cast<unsigned>(cc.threshold), static_cast<unsigned>(cc.custodians_count));
      for (pb_size_t i = 0; i < cc.custodians_count; ++i) {
        {
    Tail t = Rest(out->preview.data(), out->preview.size());
    std::snprintf(t.at, t.room, " %s", cc.custodians[i].name);
  }
      }
      return OkStatus();
    }
    default:
      return InternalError("not a built-in operation");
  }
}

Status Device::ShowSession(const pki_appliance_v1_BeginOperationResponse& resp) {
  Screen screen(ports_.display->MaxLineLength());
  char line[80];
  std::snprintf(line, sizeof(line), "APPROVE: %s", OperationName(resp.operation));
  PKI_RETURN_IF_ERROR(screen.AddText(line));
  PKI_RETURN_IF_ERROR(screen.AddText(resp.preview));
  PKI_RETURN_IF_ERROR(screen.AddText("request SHA-256:"));
  PKI_RETURN_IF_ERROR(screen.AddHex(ByteSpan(resp.request_sha256.bytes, 32)));
  PKI_RETURN_IF_ERROR(screen.AddPgpWords(ByteSpan(resp.request_sha256.bytes, 32)));
  if (resp.tbs_sha256.size == 32) {
    PKI_RETURN_IF_ERROR(screen.AddText("to-be-signed SHA-256:"));
    PKI_RETURN_IF_ERROR(screen.AddHex(ByteSpan(resp.tbs_sha256.bytes, 32)));
  }
  std::snprintf(line, sizeof(line), "shares needed: %u; expires in %u s",
                static_cast<unsigned>(resp.shares_needed),
                static_cast<unsigned>(resp.expires_in_seconds));
  PKI_RETURN_IF_ERROR(screen.AddText(line));
  return ShowLines(screen.Lines());
}

Status Device::BeginOperation(const pki_appliance_v1_BeginOperationRequest& req,
                              pki_appliance_v1_BeginOperationResponse* out) {
  *out = pki_appliance_v1_BeginOperationResponse_init_zero;
  if (record_.lifecycle == Lifecycle::kUnprovisioned) {
    return FailedPreconditionError("device is not provisioned; Init first");
  }
  if (record_.lifecycle != Lifecycle::kLocked) {
    return FailedPreconditionError("device is decommissioned");
  }
  if (pending_.kind != PendingSplit::Kind::kNone) {
    return FailedPreconditionError("a new custodian split waits for share confirmations; confirm or CancelSplit");
  }
  if (session_.phase != Phase::kNone) {
    return FailedPreconditionError("an operation is already pending (")
        .Append(OperationName(session_.prepared.operation))
        .Append("); Abort it or let it expire");
  }
  if (const uint64_t wait_ms = LockoutRemainingMs(); wait_ms > 0) {
    return FailedPreconditionError("locked out after ")
        .AppendNumber(record_.consecutive_failures)
        .Append(" wrong shares in a row: quorum sessions refused for another ")
        .AppendNumber((wait_ms + 999) / 1000)
        .Append(" s");
  }
  PKI_ASSIGN_OR_RETURN(pki_appliance_v1_Operation op, OperationOf(req));
  PKI_ASSIGN_OR_RETURN(int64_t now, DeviceNow(*ports_.clock, record_));

  PreparedOperation& prep = session_.prepared;
  SecureZero(&prep, sizeof(prep));
  // The preview is written straight into the answer (no copy kept).
  prep.preview = std::span<char>(out->preview);
  Status s;
  switch (op) {
    case pki_appliance_v1_Operation_OPERATION_SIGN_INTERMEDIATE:
    case pki_appliance_v1_Operation_OPERATION_ISSUE_CRL:
    case pki_appliance_v1_Operation_OPERATION_REVOKE:
    case pki_appliance_v1_Operation_OPERATION_CROSS_SIGN: {
      if (record_.crl_number >= 0xFFFFFFFFu) {
        s = ResourceExhaustedError("CRL numbers exhausted");
        break;
      }
      PrepareContext ctx;
      ctx.now = now;
      ctx.next_crl_number = record_.crl_number + 1;
      s = ports_.engine->Prepare(req, ctx, &prep);
      break;
    }
    default:
      s = PrepareBuiltin(req, now, &prep);
      break;
  }
  prep.operation = op;
  if (!s.ok()) {
    EndSession();
    *out = pki_appliance_v1_BeginOperationResponse_init_zero;  // a partial preview
    return s;
  }
  // The shared room is free until the session opens below (no Init split
  // is staged: refused above).
  PKI_CHECK(pending_.kind == PendingSplit::Kind::kNone);
  StatusOr<Sha256Bytes> digest = RequestDigest(req, &room_.session.change_custodians);
  if (!digest.ok()) {
    EndSession();
    return digest.status();
  }
  session_.request_sha256 = *digest;
  s = custody_->BeginQuorum(ports_.clock->MonotonicMillis(), &session_.nonce);
  if (!s.ok()) {
    EndSession();
    return s;
  }
  if (req.which_params == pki_appliance_v1_BeginOperationRequest_set_time_tag) {
    room_.session.set_time = req.params.set_time.unix_seconds;
  } else if (req.which_params == pki_appliance_v1_BeginOperationRequest_change_custodians_tag) {
    std::memcpy(&room_.session.change_custodians, &req.params.change_custodians,
                sizeof(room_.session.change_custodians));
  }
  session_.phase = Phase::kCollecting;

  out->operation = op;
  out->nonce.size = custody::kNonceSize;
  std::memcpy(out->nonce.bytes, session_.nonce.data(), custody::kNonceSize);
  out->request_sha256.size = 32;
  std::memcpy(out->request_sha256.bytes, session_.request_sha256.data(), 32);
  Sha256Bytes tbs_digest{};
  if (prep.tbs_size > 0) {
    tbs_digest = ToBytes(crypto::Sha256(ByteSpan(prep.tbs, prep.tbs_size)));
    out->tbs_sha256.size = 32;
    std::memcpy(out->tbs_sha256.bytes, tbs_digest.data(), 32);
  }
  prep.preview = {};  // it was out->preview: not kept past this call
  StatusOr<size_t> words = PgpWords(out->pgp_words, ByteSpan(session_.request_sha256));
  out->shares_needed = custody_->ActiveSplit()->threshold;
  out->expires_in_seconds = static_cast<uint32_t>(config_.quorum_timeout_ms / 1000);
  if (!words.ok()) s = words.status();
  if (s.ok()) s = ShowSession(*out);
  if (s.ok()) {
    s = Journal(EventType::kBeginOperation, session_.request_sha256, tbs_digest, 0).status();
  }
  if (!s.ok()) {
    EndSession();
    *out = pki_appliance_v1_BeginOperationResponse_init_zero;
    return s;
  }
  // The host fetches the exact to-be-signed bytes to lint and compare.
  if (prep.tbs_size > 0) {
    SetResult(ByteSpan(prep.tbs, prep.tbs_size));
  } else {
    ClearResult();
  }
  return OkStatus();
}

Status Device::SubmitShare(const pki_appliance_v1_SubmitShareRequest& req,
                           pki_appliance_v1_SubmitShareResponse* out) {
  *out = pki_appliance_v1_SubmitShareResponse_init_zero;
  PKI_RETURN_IF_ERROR(CheckSession(ByteSpan(req.nonce.bytes, req.nonce.size)));
  if (session_.phase == Phase::kApproved) {
    return FailedPreconditionError("quorum already complete; Execute or Abort");
  }
  const uint64_t now_ms = ports_.clock->MonotonicMillis();
  StatusOr<custody::SubmitResult> r = custody_->SubmitShare(
      ByteSpan(req.nonce.bytes, req.nonce.size), ByteSpan(req.wrapped_share.bytes, req.wrapped_share.size),
      AsBytes(std::string_view(req.passphrase)), req.custodian, now_ms);
  if (!r.ok()) {
    const StatusCode code = r.status().code();
    if (code == StatusCode::kDeadlineExceeded || code == StatusCode::kDataLoss) {
      Journal(code == StatusCode::kDeadlineExceeded ? EventType::kSessionExpired
                                                    : EventType::kAbort,
              session_.request_sha256, Sha256Bytes{}, session_.custodians)
          .status()
          .Ignore();
      EndSession();
      return r.status();
    }
    DeviceRecord rec = record_;
    rec.failed_attempts += 1;
    if (rec.consecutive_failures < 0xFFFFFFFFu) rec.consecutive_failures += 1;
    // Counted in RAM even if storage fails: the lockout must not depend on it.
    if (!SaveRecord(rec).ok()) record_ = rec;
    Journal(EventType::kFailedAttempt,
            ToBytes(crypto::Sha256(AsBytes(std::string_view(req.custodian)))), Sha256Bytes{},
            session_.custodians)
        .status()
        .Ignore();
    if (record_.consecutive_failures >= kLockoutThreshold) {
      lockout_from_ms_ = now_ms;
      Journal(EventType::kLockout, session_.request_sha256, Sha256Bytes{}, session_.custodians)
          .status()
          .Ignore();
      EndSession();
      std::string_view lines[] = {"LOCKED OUT: too many wrong shares", "quorum sessions refused for a while"};
      ShowLines(lines).Ignore();
    }
    return r.status();
  }
  if (record_.consecutive_failures != 0) {
    DeviceRecord rec = record_;
    rec.consecutive_failures = 0;
    SaveRecord(rec).Ignore();
  }
  session_.custodians = static_cast<uint16_t>(session_.custodians | (1u << (r->index - 1)));
  Status s = Journal(EventType::kShareAccepted, session_.request_sha256, Sha256Bytes{},
                     session_.custodians)
                 .status();
  if (s.ok() && r->complete) {
    s = Journal(EventType::kQuorum, session_.request_sha256, Sha256Bytes{}, session_.custodians)
            .status();
    if (s.ok()) session_.phase = Phase::kApproved;
  }
  if (!s.ok()) {
    // Fail closed: an unjournaled quorum is no quorum.
    EndSession();
    return s;
  }
  out->shares_accepted = r->accepted;
  out->shares_needed = r->threshold;
  return OkStatus();
}

Status Device::Abort(const pki_appliance_v1_AbortRequest& req) {
  // An empty nonce aborts whatever session is pending: a host that lost the
  // BeginOperation answer (or its link) has no nonce, and aborting only
  // destroys an in-progress quorum, never a result. Journaled either way.
  if (req.nonce.size == 0) {
    if (session_.phase == Phase::kNone) return FailedPreconditionError("no operation is pending");
  } else {
    PKI_RETURN_IF_ERROR(CheckSession(ByteSpan(req.nonce.bytes, req.nonce.size)));
  }
  Sha256Bytes digest = session_.request_sha256;
  uint16_t who = session_.custodians;
  EndSession();
  std::string_view lines[] = {"OPERATION ABORTED", "everything entered was wiped"};
  ShowLines(lines).Ignore();
  return Journal(EventType::kAbort, digest, Sha256Bytes{}, who).status();
}

Status Device::Execute(const pki_appliance_v1_ExecuteRequest& req,
                       pki_appliance_v1_ExecuteResponse* out) {
  *out = pki_appliance_v1_ExecuteResponse_init_zero;
  ByteSpan nonce(req.nonce.bytes, req.nonce.size);
  PKI_RETURN_IF_ERROR(CheckSession(nonce));
  if (session_.phase != Phase::kApproved) {
    return PermissionDeniedError("quorum not reached: ")
        .AppendNumber(custody_->quorum().accepted())
        .Append(" of ")
        .AppendNumber(custody_->ActiveSplit()->threshold)
        .Append(" shares");
  }
  StatusOr<const custody::Kek*> kek = custody_->QuorumKek(nonce, ports_.clock->MonotonicMillis());
  if (!kek.ok()) {
    EndSession();
    return kek.status();
  }
  // Second, independent check of the release decision (STYLE 8): the
  // device's phase and custody's assembler must both say complete.
  if (session_.phase != Phase::kApproved ||
      custody_->quorum().state() != custody::QuorumAssembler::State::kComplete) {
    Zeroize();
    Panic("quorum state disagrees between device and custody");
  }
  Status s = ExecuteApproved(**kek, out);
  // One quorum, one operation: whatever happened, the quorum is gone.
  EndSession();
  std::string_view done_ok[] = {"OPERATION DONE", "quorum wiped; device locked"};
  std::string_view done_bad[] = {"OPERATION FAILED", "quorum wiped; device locked"};
  ShowLines(s.ok() ? std::span<const std::string_view>(done_ok)
                   : std::span<const std::string_view>(done_bad))
      .Ignore();
  if (!s.ok()) *out = pki_appliance_v1_ExecuteResponse_init_zero;
  return s;
}

Status Device::ExecuteApproved(const custody::Kek& kek, pki_appliance_v1_ExecuteResponse* out) {
  const PreparedOperation& prep = session_.prepared;
  out->operation = prep.operation;
  Sha256Bytes result_digest{};
  EventType type = EventType::kSignIntermediate;
  DeviceRecord rec = record_;
  switch (prep.operation) {
    case pki_appliance_v1_Operation_OPERATION_SIGN_INTERMEDIATE:
    case pki_appliance_v1_Operation_OPERATION_ISSUE_CRL:
    case pki_appliance_v1_Operation_OPERATION_REVOKE:
    case pki_appliance_v1_Operation_OPERATION_CROSS_SIGN: {
      ClearResult();
      PKI_ASSIGN_OR_RETURN(size_t n, ports_.engine->Sign(prep, kek, result_));
      result_size_ = n;
      result_digest = ToBytes(crypto::Sha256(ByteSpan(result_, n)));
      Status s = ports_.engine->Commit(prep);
      if (s.ok() && prep.crl_number > rec.crl_number) rec.crl_number = prep.crl_number;
      RaiseLowerBound(rec, prep.time);
      if (s.ok()) s = SaveRecord(rec);
      if (!s.ok()) {
        ClearResult();
        return s;
      }
      type = prep.operation == pki_appliance_v1_Operation_OPERATION_SIGN_INTERMEDIATE
                 ? EventType::kSignIntermediate
             : prep.operation == pki_appliance_v1_Operation_OPERATION_ISSUE_CRL ? EventType::kIssueCrl
             : prep.operation == pki_appliance_v1_Operation_OPERATION_REVOKE    ? EventType::kRevoke
                                                                                : EventType::kCrossSign;
      break;
    }
    case pki_appliance_v1_Operation_OPERATION_SET_TIME: {
      PKI_RETURN_IF_ERROR(ApplySetTime(rec, *ports_.clock, room_.session.set_time));
      PKI_RETURN_IF_ERROR(SaveRecord(rec));
      type = EventType::kSetTime;
      ClearResult();
      break;
    }
    case pki_appliance_v1_Operation_OPERATION_DECOMMISSION: {
      // Journal first: after the erase nothing can be signed, journal
      // checkpoints included.
      PKI_ASSIGN_OR_RETURN(uint64_t seq, Journal(EventType::kDecommission, session_.request_sha256,
                                                 Sha256Bytes{}, session_.custodians));
      PKI_RETURN_IF_ERROR(ports_.storage->Erase(kSealedRootKeyKey));
      // The split record stays: it holds no secret (names, commitments), and
      // without the sealed root key a quorum would unlock nothing.
      rec.lifecycle = Lifecycle::kDecommissioned;
      PKI_RETURN_IF_ERROR(SaveRecord(rec));
      // The destruction record: a journal export from the DECOMMISSION
      // record on, signed by the audit key (journal/export.h).
      ClearResult();
      StatusOr<JournalExportChunk> record = ports_.journal->Export(seq, MutableByteSpan(result_));
      if (record.ok()) {
        result_size_ = record->bytes;
        result_digest = ToBytes(crypto::Sha256(ByteSpan(result_, result_size_)));
        out->result_size = static_cast<uint32_t>(result_size_);
        out->result_sha256.size = 32;
        std::memcpy(out->result_sha256.bytes, result_digest.data(), 32);
      }
      out->journal_sequence = seq;
      return OkStatus();
    }
    case pki_appliance_v1_Operation_OPERATION_CHANGE_CUSTODIANS: {
      const auto& cc = room_.session.change_custodians;
      std::string_view names[custody::kMaxShares];
      for (pb_size_t i = 0; i < cc.custodians_count; ++i) names[i] = cc.custodians[i].name;
      PKI_RETURN_IF_ERROR(custody_->BeginResplit(
          ByteSpan(session_.nonce), ports_.clock->MonotonicMillis(),
          static_cast<uint8_t>(cc.threshold),
          std::span<const std::string_view>(names, cc.custodians_count)));
      Status s;
      for (pb_size_t i = 0; i < cc.custodians_count && s.ok(); ++i) {
        ByteSpan pass = AsBytes(std::string_view(cc.custodians[i].passphrase));
        auto& share = out->shares[i];
        StatusOr<size_t> n = custody_->WrapStagedShare(static_cast<uint8_t>(i + 1), pass,
                                                       MutableByteSpan(share.wrapped.bytes));
        if (!n.ok()) {
          s = n.status();
          break;
        }
        share.wrapped.size = static_cast<pb_size_t>(*n);
        std::memcpy(share.custodian, cc.custodians[i].name, sizeof(share.custodian));
        s = custody_->ConfirmStagedShare(ByteSpan(share.wrapped.bytes, *n), pass).status();
      }
      out->shares_count = cc.custodians_count;
      if (!s.ok()) {
        custody_->AbortStaged();
        out->shares_count = 0;
        return s;
      }
      // Staged, not committed: the old split stays in force until every new
      // custodian confirms their share (ConfirmShare, device_split.cc).
      custody_->ClearStagedConfirmations();
      pending_.kind = PendingSplit::Kind::kResplit;
      pending_.deadline_ms = ports_.clock->MonotonicMillis() + config_.quorum_timeout_ms;
      pending_.inputs = session_.request_sha256;
      pending_.custodians = session_.custodians;
      out->journal_sequence = ports_.journal->NextSequence();
      ClearResult();
      return OkStatus();
    }
    default:
      return InternalError("approved session has no operation");
  }
  StatusOr<uint64_t> seq = Journal(type, session_.request_sha256, result_digest,
                                   session_.custodians);
  if (!seq.ok()) {
    // Not journaled, not released (DESIGN invariant 4).
    ClearResult();
    return seq.status();
  }
  out->journal_sequence = *seq;
  out->result_size = static_cast<uint32_t>(result_size_);
  if (result_size_ > 0) {
    out->result_sha256.size = 32;
    std::memcpy(out->result_sha256.bytes, result_digest.data(), 32);
  }
  return OkStatus();
}

}  // namespace pki::appliance::device
