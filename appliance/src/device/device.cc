// device.cc — construction, status, tamper, session bookkeeping.
// Requests are in device_init.cc, device_session.cc and device_export.cc.
#include "device/device.h"

#include <cstring>

#include "base/secret.h"
#include "crypto/digest.h"
#include "custody/split_record.h"
#include "device/device_time.h"
#include "device/screen.h"

namespace pki::appliance::device {

Status Device::Create(const DevicePorts& ports, const DeviceConfig& config,
                      std::optional<Device>& out) {
  out.reset();
  if (ports.storage == nullptr) return InvalidArgumentError("device port missing: storage");
  if (ports.clock == nullptr) return InvalidArgumentError("device port missing: clock");
  if (ports.drbg == nullptr) return InvalidArgumentError("device port missing: drbg");
  if (ports.display == nullptr) return InvalidArgumentError("device port missing: display");
  if (ports.tamper == nullptr) return InvalidArgumentError("device port missing: tamper");
  if (ports.journal == nullptr) return InvalidArgumentError("device port missing: journal");
  if (ports.engine == nullptr) return InvalidArgumentError("device port missing: engine");
  if (config.device_id.empty() || config.device_id.size() > custody::kMaxApplianceIdSize) {
    return InvalidArgumentError("device id must be 1..39 bytes");
  }
  if (config.firmware_version.size() > 31) {
    return InvalidArgumentError("firmware version longer than 31 bytes");
  }
  if (config.quorum_timeout_ms == 0) return InvalidArgumentError("quorum timeout must be > 0");

  PKI_ASSIGN_OR_RETURN(DeviceRecord rec, LoadDeviceRecord(*ports.storage));

  out.emplace(Token());
  Device& d = *out;
  d.ports_ = ports;
  d.config_ = config;
  custody::CustodyConfig cc;
  cc.share_iterations = config.share_iterations;
  cc.quorum_timeout_ms = config.quorum_timeout_ms;
  Status s = custody::Custody::Create(*ports.storage, *ports.drbg, AsBytes(config.device_id), cc,
                                      d.custody_);
  if (s.code() == StatusCode::kDataLoss && rec.lifecycle == Lifecycle::kUnprovisioned) {
    // The first split record was torn by a power cut during Init's commit:
    // nothing was provisioned, so there is nothing to keep. Start clean.
    s = ports.storage->Erase(custody::kSplitRecordKey);
    if (s.ok()) {
      s = custody::Custody::Create(*ports.storage, *ports.drbg, AsBytes(config.device_id), cc, d.custody_);
    }
  }
  bool recovered = false;
  if (s.ok() && rec.lifecycle == Lifecycle::kUnprovisioned &&
      d.custody_->ActiveSplit() != nullptr) {
    // Init was cut off after committing the split and before saving this
    // record. The root certificate and sealed key were stored before the
    // split commit (device_split.cc): if both are there, finish it.
    StatusOr<size_t> cert = ports.storage->Read(kRootCertKey, d.result_);
    StatusOr<size_t> key = ports.storage->Read(kSealedRootKeyKey, d.room_.staged_key);
    SecureZero(d.room_.staged_key, sizeof(d.room_.staged_key));
    d.ClearResult();
    if (cert.ok() && key.ok()) {
      rec.lifecycle = Lifecycle::kLocked;
      recovered = true;
    } else {
      s = DataLossError("provisioning was interrupted after the split was committed and the root is incomplete");
    }
  }
  if (s.ok() && rec.lifecycle == Lifecycle::kUnprovisioned) {
    // A root stored by an Init cut off before its split commit is unusable:
    // wipe it (best effort; the next Init overwrites it anyway).
    ports.storage->Erase(kRootCertKey).Ignore();
    ports.storage->Erase(kSealedRootKeyKey).Ignore();
  }
  if (s.ok() && rec.lifecycle == Lifecycle::kLocked && d.custody_->ActiveSplit() == nullptr) {
    s = DataLossError("device is provisioned but its custodian split record is missing");
  }
  // A device tampered while UNPROVISIONED never had a root: it boots
  // DECOMMISSIONED (tampered) without one, so its journal can still be
  // exported. Any other provisioned device must have its root certificate.
  if (s.ok() && rec.lifecycle != Lifecycle::kUnprovisioned) s = d.LoadRootDigest(/*missing_ok=*/rec.tampered);
  if (s.ok()) {
    rec.boot_count += 1;
    s = SaveDeviceRecord(*ports.storage, rec);
  }
  if (!s.ok()) {
    out.reset();
    return s;
  }
  d.record_ = rec;
  // A lockout in force at power-off starts again from boot.
  d.lockout_from_ms_ = ports.clock->MonotonicMillis();
  if (recovered) {
    d.Journal(EventType::kProvisionRecovered, Sha256Bytes{}, d.root_cert_sha256_, 0).status().Ignore();
  }
  // The boot record is best effort: a full journal must not stop the
  // device from booting far enough to export it.
  crypto::Sha256Digest id = crypto::Sha256(AsBytes(config.device_id));
  Sha256Bytes inputs;
  std::memcpy(inputs.data(), id.data(), inputs.size());
  d.Journal(EventType::kBoot, inputs, Sha256Bytes{}, 0).status().Ignore();
  return OkStatus();
}

Device::~Device() { Zeroize(); }

uint64_t Device::LockoutRemainingMs() const {
  if (record_.consecutive_failures < kLockoutThreshold) return 0;
  const uint32_t extra = record_.consecutive_failures - kLockoutThreshold;
  const uint64_t period = extra >= 6 ? kLockoutMaxMs
                                     : (kLockoutBaseMs << extra) > kLockoutMaxMs ? kLockoutMaxMs
                                                                                : kLockoutBaseMs << extra;
  const uint64_t now = ports_.clock->MonotonicMillis();
  const uint64_t elapsed = now >= lockout_from_ms_ ? now - lockout_from_ms_ : 0;
  return elapsed >= period ? 0 : period - elapsed;
}

Status Device::LoadRootDigest(bool missing_ok) {
  StatusOr<size_t> n = ports_.storage->Read(kRootCertKey, result_);
  if (!n.ok()) {
    ClearResult();
    if (n.status().code() == StatusCode::kNotFound) {
      if (missing_ok) return OkStatus();
      return DataLossError("device is provisioned but its root certificate is missing");
    }
    return n.status();
  }
  crypto::Sha256Digest h = crypto::Sha256(ByteSpan(result_, *n));
  std::memcpy(root_cert_sha256_.data(), h.data(), h.size());
  has_root_ = true;
  // The root certificate is the result a host fetches after a reboot.
  result_size_ = *n;
  return OkStatus();
}

pki_appliance_v1_DeviceState Device::State() const {
  if (record_.tampered || record_.lifecycle == Lifecycle::kDecommissioned) {
    return pki_appliance_v1_DeviceState_DECOMMISSIONED;
  }
  if (record_.lifecycle == Lifecycle::kUnprovisioned) {
    return pki_appliance_v1_DeviceState_UNPROVISIONED;
  }
  return session_.phase == Phase::kApproved ? pki_appliance_v1_DeviceState_UNLOCKED
                                            : pki_appliance_v1_DeviceState_LOCKED;
}

Status Device::GetStatus(StatusResponse* out) {
  *out = pki_appliance_v1_StatusResponse_init_zero;
  out->state = State();
  std::memcpy(out->firmware_version, config_.firmware_version.data(),
              config_.firmware_version.size());
  out->production_build = PKI_PRODUCTION_BUILD != 0;
  std::memcpy(out->device_id, config_.device_id.data(), config_.device_id.size());
  if (has_root_) {
    out->root_cert_sha256.size = 32;
    std::memcpy(out->root_cert_sha256.bytes, root_cert_sha256_.data(), 32);
  }
  out->journal_sequence = ports_.journal->NextSequence();
  out->journal_first_sequence = ports_.journal->FirstSequence();
  out->consecutive_failures = record_.consecutive_failures;
  out->lockout_seconds = static_cast<uint32_t>((LockoutRemainingMs() + 999) / 1000);
  Sha256Bytes head = ports_.journal->Head();
  out->journal_head.size = 32;
  std::memcpy(out->journal_head.bytes, head.data(), 32);
  out->crl_number = record_.crl_number;
  if (const custody::SplitInfo* split = custody_->ActiveSplit(); split != nullptr) {
    out->threshold = split->threshold;
    out->custodians_count = split->count;
    for (pb_size_t i = 0; i < split->count && i < 16; ++i) {
      std::string_view name = split->names[i].view();
      std::memcpy(out->custodians[i], name.data(), name.size());
    }
  }
  out->boot_count = record_.boot_count;
  out->failed_attempts = record_.failed_attempts;
  out->time_lower_bound = record_.time_lower_bound;
  if (!config_.audit_public_key.empty() &&
      config_.audit_public_key.size() <= sizeof(out->audit_public_key.bytes)) {
    out->audit_public_key.size = static_cast<pb_size_t>(config_.audit_public_key.size());
    std::memcpy(out->audit_public_key.bytes, config_.audit_public_key.data(),
                config_.audit_public_key.size());
  }
  if (session_.phase != Phase::kNone) {
    out->pending_operation = session_.prepared.operation;
    out->shares_accepted = custody_->quorum().accepted();
  }
  return OkStatus();
}

StatusOr<uint64_t> Device::Journal(EventType type, const Sha256Bytes& inputs,
                                   const Sha256Bytes& outputs, uint16_t custodians) {
  JournalEvent e;
  e.type = type;
  e.custodians = custodians;
  StatusOr<int64_t> now = DeviceNow(*ports_.clock, record_);
  e.time = now.ok() ? *now : 0;
  e.inputs_sha256 = inputs;
  e.outputs_sha256 = outputs;
  return ports_.journal->Append(e);
}

Status Device::SaveRecord(const DeviceRecord& updated) {
  PKI_RETURN_IF_ERROR(SaveDeviceRecord(*ports_.storage, updated));
  record_ = updated;
  return OkStatus();
}

void Device::EndSession() {
  custody_->EndQuorum();
  // While an Init split is pending the room holds its staged key (no
  // session can exist then): DropPendingSplit or the commit wipes that.
  if (pending_.kind != PendingSplit::Kind::kInit) SecureZero(&room_.session, sizeof(room_.session));
  SecureZero(&session_.prepared, sizeof(session_.prepared));
  session_.nonce.fill(0);
  session_.request_sha256.fill(0);
  session_.custodians = 0;
  session_.phase = Phase::kNone;
}

void Device::SetResult(ByteSpan data) {
  ClearResult();
  std::memcpy(result_, data.data(), data.size());
  result_size_ = data.size();
}

void Device::ClearResult() {
  SecureZero(result_, sizeof(result_));
  result_size_ = 0;
}

void Device::Zeroize() {
  if (custody_.has_value()) {
    EndSession();
    DropPendingSplit();
  }
  ClearResult();
  SecureZero(&room_, sizeof(room_));
}

Status Device::ShowLines(std::span<const std::string_view> lines) {
  return ports_.display->Show(lines);
}

void Device::OnTamper() {
  Zeroize();
  // Erase the sealed root key: without it the KEK is useless, and the
  // device stops being able to sign for good.
  ports_.storage->Erase(kSealedRootKeyKey).Ignore();
  DeviceRecord rec = record_;
  rec.tampered = true;
  rec.lifecycle = Lifecycle::kDecommissioned;
  // If storage fails the RAM state is still tampered: nothing is served.
  SaveRecord(rec).Ignore();
  record_.tampered = true;
  record_.lifecycle = Lifecycle::kDecommissioned;
  Journal(EventType::kTamper, Sha256Bytes{}, Sha256Bytes{}, 0).status().Ignore();
  std::string_view lines[] = {"TAMPER DETECTED", "secrets zeroized; device decommissioned"};
  ShowLines(lines).Ignore();
}

void Device::Tick() {
  if (!record_.tampered && ports_.tamper->Poll() != hw::TamperState::kClear) OnTamper();
  if (pending_.kind != PendingSplit::Kind::kNone && ports_.clock->MonotonicMillis() > pending_.deadline_ms) {
    const Sha256Bytes inputs = pending_.inputs;
    DropPendingSplit();
    Journal(EventType::kSessionExpired, inputs, Sha256Bytes{}, 0).status().Ignore();
    std::string_view lines[] = {"STAGED SPLIT EXPIRED", "unconfirmed shares wiped"};
    ShowLines(lines).Ignore();
  }
  if (session_.phase != Phase::kNone &&
      custody_->ExpireIfDue(ports_.clock->MonotonicMillis())) {
    Journal(EventType::kSessionExpired, session_.request_sha256, Sha256Bytes{},
            session_.custodians)
        .status()
        .Ignore();
    EndSession();
    std::string_view lines[] = {"QUORUM SESSION EXPIRED", "everything entered was wiped"};
    ShowLines(lines).Ignore();
  }
}

Status Device::CheckSession(ByteSpan nonce) const {
  if (session_.phase == Phase::kNone) return FailedPreconditionError("no operation is pending");
  if (nonce.size() != session_.nonce.size() ||
      !ConstantTimeEqual(nonce, ByteSpan(session_.nonce))) {
    return InvalidArgumentError("nonce is not the pending operation's");
  }
  return OkStatus();
}

}  // namespace pki::appliance::device
