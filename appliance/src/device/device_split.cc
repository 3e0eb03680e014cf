// device_split.cc — a staged split waiting for its custodians: ConfirmShare,
// CancelSplit and the commit (Init's root stored and LOCKED, or a re-split
// retiring the old split). See docs/custody.md.
#include <cstring>

#include "base/secret.h"
#include "crypto/digest.h"
#include "device/device.h"
#include "device/device_time.h"
#include "device/screen.h"

namespace pki::appliance::device {
namespace {

Sha256Bytes ToBytes(const crypto::Sha256Digest& d) {
  Sha256Bytes out;
  std::memcpy(out.data(), d.data(), out.size());
  return out;
}

}  // namespace

void Device::DropPendingSplit() {
  if (pending_.kind == PendingSplit::Kind::kInit) {
    // Init stored nothing: wipe the staged root (certificate, sealed key).
    ClearResult();
    SecureZero(room_.staged_key, sizeof(room_.staged_key));
  }
  custody_->AbortStaged();
  pending_ = PendingSplit{};
}

Status Device::CommitPendingSplit(uint64_t* journal_sequence) {
  const custody::SplitInfo* staged = custody_->StagedSplit();
  if (staged == nullptr) return InternalError("pending split without a staged split");
  if (pending_.kind == PendingSplit::Kind::kResplit) {
    // Journal first (forced audit), then the one atomic write that retires
    // the old split.
    PKI_ASSIGN_OR_RETURN(uint64_t seq, Journal(EventType::kChangeCustodians, pending_.inputs,
                                               ToBytes(crypto::Sha256(ByteSpan(staged->split_id))),
                                               pending_.custodians));
    PKI_RETURN_IF_ERROR(custody_->CommitStaged());
    *journal_sequence = seq;
    pending_ = PendingSplit{};
    return OkStatus();
  }
  // Init: certificate and sealed key, the journal record, the split, then the
  // device record. A power cut after the split commit and before the record
  // is recovered at boot (device.cc: the stored root is complete).
  const ByteSpan cert(result_, pending_.cert_size);
  Status s = ports_.storage->Write(kRootCertKey, cert);
  if (s.ok()) s = ports_.storage->Write(kSealedRootKeyKey, ByteSpan(room_.staged_key, pending_.sealed_key_size));
  if (!s.ok()) {
    ports_.storage->Erase(kRootCertKey).Ignore();
    ports_.storage->Erase(kSealedRootKeyKey).Ignore();
    return s;
  }
  const Sha256Bytes root_digest = ToBytes(crypto::Sha256(cert));
  StatusOr<uint64_t> seq = Journal(EventType::kProvision, pending_.inputs, root_digest, 0);
  if (seq.ok()) s = custody_->CommitStaged();
  if (!seq.ok() || !s.ok()) {
    ports_.storage->Erase(kRootCertKey).Ignore();
    ports_.storage->Erase(kSealedRootKeyKey).Ignore();
    return seq.ok() ? s : seq.status();
  }
  DeviceRecord rec = record_;
  rec.lifecycle = Lifecycle::kLocked;
  RaiseLowerBound(rec, pending_.time);
  PKI_RETURN_IF_ERROR(SaveRecord(rec));
  SecureZero(room_.staged_key, sizeof(room_.staged_key));
  result_size_ = pending_.cert_size;
  has_root_ = true;
  root_cert_sha256_ = root_digest;
  *journal_sequence = *seq;
  pending_ = PendingSplit{};
  return OkStatus();
}

Status Device::ConfirmShare(const pki_appliance_v1_ConfirmShareRequest& req,
                            pki_appliance_v1_ConfirmShareResponse* out) {
  *out = pki_appliance_v1_ConfirmShareResponse_init_zero;
  if (pending_.kind == PendingSplit::Kind::kNone || custody_->StagedSplit() == nullptr) {
    return FailedPreconditionError("no split waits for confirmation (Init or ChangeCustodians first)");
  }
  const uint64_t now_ms = ports_.clock->MonotonicMillis();
  if (now_ms > pending_.deadline_ms) {
    DropPendingSplit();
    return DeadlineExceededError("the staged split expired unconfirmed and was wiped");
  }
  StatusOr<uint8_t> index = custody_->ConfirmStagedShare(
      ByteSpan(req.wrapped_share.bytes, req.wrapped_share.size),
      AsBytes(std::string_view(req.passphrase)), req.custodian);
  if (!index.ok()) {
    DeviceRecord rec = record_;
    rec.failed_attempts += 1;
    SaveRecord(rec).Ignore();
    Journal(EventType::kFailedAttempt, ToBytes(crypto::Sha256(AsBytes(std::string_view(req.custodian)))),
            Sha256Bytes{}, 0)
        .status()
        .Ignore();
    return index.status();
  }
  const custody::SplitInfo* staged = custody_->StagedSplit();
  const uint16_t confirmed = custody_->StagedConfirmedMask();
  uint32_t count = 0;
  for (uint16_t m = confirmed; m != 0; m = static_cast<uint16_t>(m & (m - 1))) ++count;
  out->confirmed = count;
  out->total = staged->count;
  if (count < staged->count) return OkStatus();
  uint64_t seq = 0;
  const bool init = pending_.kind == PendingSplit::Kind::kInit;
  Status s = CommitPendingSplit(&seq);
  if (!s.ok()) {
    // The staged split stays for a retry of the last confirmation (custody
    // keeps it when the storage write failed).
    return s;
  }
  out->committed = true;
  out->journal_sequence = seq;
  Screen screen(ports_.display->MaxLineLength());
  s = screen.AddText(init ? "ROOT CREATED; every custodian confirmed their share" : "NEW SPLIT COMMITTED; every custodian confirmed their share");
  if (init) {
    if (s.ok()) s = screen.AddText("root certificate SHA-256:");
    if (s.ok()) s = screen.AddHex(ByteSpan(root_cert_sha256_));
    if (s.ok()) s = screen.AddPgpWords(ByteSpan(root_cert_sha256_));
  }
  if (s.ok()) ShowLines(screen.Lines()).Ignore();
  return OkStatus();
}

Status Device::CancelSplit() {
  if (pending_.kind == PendingSplit::Kind::kNone) return FailedPreconditionError("no split is staged");
  const Sha256Bytes inputs = pending_.inputs;
  DropPendingSplit();
  std::string_view lines[] = {"STAGED SPLIT CANCELLED", "nothing committed; wiped"};
  ShowLines(lines).Ignore();
  return Journal(EventType::kAbort, inputs, Sha256Bytes{}, 0).status();
}

}  // namespace pki::appliance::device
