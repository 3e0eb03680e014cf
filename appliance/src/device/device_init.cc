// device_init.cc — provisioning (Init) and setting the time before it.
#include <cstring>

#include "base/secret.h"
#include "crypto/digest.h"
#include "device/device.h"
#include "device/device_time.h"
#include "device/screen.h"

namespace pki::appliance::device {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr uint32_t kMaxRootValidityDays = 9132;  // 25 years

Sha256Bytes ToBytes(const crypto::Sha256Digest& d) {
  Sha256Bytes out;
  std::memcpy(out.data(), d.data(), out.size());
  return out;
}

// ShowStagedRoot displays the staged root's digest (best effort: the host
// shows it too). Not inlined: its ~2.7 KiB Screen must not sit in Init's
// frame under the key generation and signing, the deepest stack of all.
[[gnu::noinline]] void ShowStagedRoot(hw::Display& display, const Sha256Bytes& root_digest) {
  Screen screen(display.MaxLineLength());
  Status s = screen.AddText("ROOT STAGED; certificate SHA-256:");
  if (s.ok()) s = screen.AddHex(ByteSpan(root_digest));
  if (s.ok()) s = screen.AddPgpWords(ByteSpan(root_digest));
  if (s.ok()) s = screen.AddText("each custodian now confirms their share");
  if (s.ok()) display.Show(screen.Lines()).Ignore();
}

}  // namespace

Status Device::SetTime(const pki_appliance_v1_SetTimeRequest& req,
                       pki_appliance_v1_SetTimeResponse* out) {
  *out = pki_appliance_v1_SetTimeResponse_init_zero;
  if (record_.lifecycle != Lifecycle::kUnprovisioned) {
    return FailedPreconditionError(
        "after Init the time is set only with a quorum (BeginOperation set_time)");
  }
  DeviceRecord rec = record_;
  PKI_RETURN_IF_ERROR(ApplySetTime(rec, *ports_.clock, req.unix_seconds));
  PKI_RETURN_IF_ERROR(SaveRecord(rec));
  uint8_t t[8];
  StoreBe64(t, static_cast<uint64_t>(req.unix_seconds));
  PKI_RETURN_IF_ERROR(
      Journal(EventType::kSetTime, ToBytes(crypto::Sha256(ByteSpan(t, 8))), Sha256Bytes{}, 0)
          .status());
  out->time_lower_bound = record_.time_lower_bound;
  return OkStatus();
}

Status Device::Init(const pki_appliance_v1_InitRequest& req, pki_appliance_v1_InitResponse* out) {
  *out = pki_appliance_v1_InitResponse_init_zero;
  if (record_.lifecycle != Lifecycle::kUnprovisioned) {
    return FailedPreconditionError("device is already provisioned");
  }
  if (pending_.kind != PendingSplit::Kind::kNone) {
    return FailedPreconditionError("a root is staged and waits for share confirmations; CancelSplit first");
  }
  if (req.subject[0] == '\0') return InvalidArgumentError("init: subject is empty");
  if (req.validity_days == 0 || req.validity_days > kMaxRootValidityDays) {
    return InvalidArgumentError("init: validity_days must be 1..9132 (25 years)");
  }
  PKI_RETURN_IF_ERROR(custody::CheckSplitParameters(req.threshold, req.custodians_count));
  PKI_ASSIGN_OR_RETURN(int64_t now, DeviceNow(*ports_.clock, record_));

  std::string_view names[custody::kMaxShares];
  for (pb_size_t i = 0; i < req.custodians_count; ++i) {
    names[i] = req.custodians[i].name;
    if (std::strlen(req.custodians[i].passphrase) < custody::kMinPassphraseSize) {
      return InvalidArgumentError("init: passphrase of custodian ")
          .Append(names[i])
          .Append(" is shorter than 8 characters");
    }
  }
  PKI_RETURN_IF_ERROR(custody_->BeginInitialSplit(
      static_cast<uint8_t>(req.threshold),
      std::span<const std::string_view>(names, req.custodians_count)));

  // From here on, every failure undoes what was staged or stored.
  auto fail = [this](Status s) {
    custody_->AbortStaged();
    ports_.storage->Erase(kRootCertKey).Ignore();
    ports_.storage->Erase(kSealedRootKeyKey).Ignore();
    ClearResult();
    SecureZero(room_.staged_key, sizeof(room_.staged_key));
    return s;
  };
  StatusOr<const custody::Kek*> kek = custody_->StagedKek();
  if (!kek.ok()) return fail(kek.status());

  ProvisionParams params;
  params.algorithm = req.algorithm;
  params.subject = req.subject;
  params.not_before = now;
  params.not_after = now + static_cast<int64_t>(req.validity_days) * kSecondsPerDay;
  ClearResult();
  ProvisionOutput po;
  po.cert = MutableByteSpan(result_, sizeof(result_));
  // The room is the staged key's: no session exists while UNPROVISIONED.
  PKI_CHECK(session_.phase == Phase::kNone);
  po.sealed_key = MutableByteSpan(room_.staged_key, sizeof(room_.staged_key));
  Status s = ports_.engine->Provision(params, **kek, &po);
  if (!s.ok()) return fail(s);

  for (pb_size_t i = 0; i < req.custodians_count; ++i) {
    ByteSpan pass = AsBytes(std::string_view(req.custodians[i].passphrase));
    auto& share = out->shares[i];
    StatusOr<size_t> n = custody_->WrapStagedShare(static_cast<uint8_t>(i + 1), pass,
                                                   MutableByteSpan(share.wrapped.bytes));
    if (!n.ok()) return fail(n.status());
    share.wrapped.size = static_cast<pb_size_t>(*n);
    std::memcpy(share.custodian, req.custodians[i].name, sizeof(share.custodian));
    // The device proves every share opens with its passphrase before any
    // leaves it.
    StatusOr<uint8_t> idx = custody_->ConfirmStagedShare(ByteSpan(share.wrapped.bytes, *n), pass);
    if (!idx.ok()) return fail(idx.status());
  }
  out->shares_count = req.custodians_count;
  // Nothing is stored yet: the split, the root certificate and the sealed
  // key are committed together once every custodian has confirmed their
  // share (ConfirmShare, device_split.cc).
  custody_->ClearStagedConfirmations();
  Sha256Bytes root_digest = ToBytes(crypto::Sha256(ByteSpan(result_, po.cert_size)));
  pending_.kind = PendingSplit::Kind::kInit;
  pending_.deadline_ms = ports_.clock->MonotonicMillis() + config_.quorum_timeout_ms;
  pending_.inputs = ToBytes(crypto::Sha256(AsBytes(std::string_view(req.subject))));
  pending_.time = now;
  pending_.cert_size = po.cert_size;
  pending_.sealed_key_size = po.sealed_key_size;
  result_size_ = po.cert_size;

  out->root_cert_sha256.size = 32;
  std::memcpy(out->root_cert_sha256.bytes, root_digest.data(), 32);
  out->root_cert_size = static_cast<uint32_t>(po.cert_size);
  out->journal_sequence = ports_.journal->NextSequence();

  ShowStagedRoot(*ports_.display, root_digest);
  return OkStatus();
}

}  // namespace pki::appliance::device
