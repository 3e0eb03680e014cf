// device_audit.cc — requests served with the device audit key and the stored
// root certificate: SignTranscript and GetRootCertificate (no quorum).
#include <cstring>
#include <string_view>

#include "base/secret.h"
#include "crypto/digest.h"
#include "device/device.h"
#include "device/device_record.h"

namespace pki::appliance::device {

namespace {
// Domain separation for transcript signatures (docs/appliance-link.md): fixed
// by the firmware so the host cannot make the audit key sign anything that
// starts like a journal checkpoint ("pki-journal-checkpoint-v1") or export.
constexpr std::string_view kTranscriptLabel = "pki-transcript-v1";
constexpr size_t kTranscriptMessageSize = 17 + 32;
static_assert(kTranscriptLabel.size() == 17);
}  // namespace

Status Device::SignTranscript(const pki_appliance_v1_SignTranscriptRequest& req,
                              pki_appliance_v1_SignTranscriptResponse* out) {
  *out = pki_appliance_v1_SignTranscriptResponse_init_zero;
  if (req.transcript_sha256.size != 32) {
    return InvalidArgumentError("transcript_sha256 must be 32 bytes, got ")
        .AppendNumber(req.transcript_sha256.size);
  }
  // A decommissioned device still signs the transcript of the ceremony that
  // decommissioned it (the audit key never signs certificates); a tampered
  // or unprovisioned one signs nothing.
  if (record_.tampered) return FailedPreconditionError("SignTranscript refused: the device was tampered with");
  if (record_.lifecycle == Lifecycle::kUnprovisioned) {
    return FailedPreconditionError("SignTranscript needs a provisioned device");
  }
  if (ports_.audit_signer == nullptr) return UnimplementedError("this device has no audit signer");
  if (config_.audit_public_key.empty() || config_.audit_public_key.size() > sizeof(out->audit_public_key.bytes)) {
    return InternalError("audit public key missing or too large for the response");
  }

  uint8_t message[kTranscriptMessageSize];
  std::memcpy(message, kTranscriptLabel.data(), kTranscriptLabel.size());
  std::memcpy(message + kTranscriptLabel.size(), req.transcript_sha256.bytes, 32);
  // Sign into the response, which is released only once the journal holds
  // the record; any failure wipes it.
  StatusOr<size_t> n = ports_.audit_signer->Sign(ByteSpan(message, sizeof(message)),
                                                 MutableByteSpan(out->signature.bytes));
  if (!n.ok()) {
    *out = pki_appliance_v1_SignTranscriptResponse_init_zero;
    return n.status();
  }
  out->signature.size = static_cast<pb_size_t>(*n);
  Sha256Bytes inputs;
  std::memcpy(inputs.data(), req.transcript_sha256.bytes, 32);
  const crypto::Sha256Digest sig_hash = crypto::Sha256(ByteSpan(out->signature.bytes, *n));
  Sha256Bytes outputs;
  std::memcpy(outputs.data(), sig_hash.data(), outputs.size());
  StatusOr<uint64_t> seq = Journal(EventType::kSignTranscript, inputs, outputs, 0);
  if (!seq.ok()) {
    SecureZero(out, sizeof(*out));
    *out = pki_appliance_v1_SignTranscriptResponse_init_zero;
    return seq.status();
  }
  out->journal_sequence = *seq;
  out->audit_public_key.size = static_cast<pb_size_t>(config_.audit_public_key.size());
  std::memcpy(out->audit_public_key.bytes, config_.audit_public_key.data(), config_.audit_public_key.size());
  return OkStatus();
}

Status Device::GetRootCertificate(pki_appliance_v1_RootCertificateResponse* out) {
  *out = pki_appliance_v1_RootCertificateResponse_init_zero;
  if (!has_root_) return FailedPreconditionError("no root certificate: the device is not provisioned");
  StatusOr<size_t> n = ports_.storage->Read(kRootCertKey, MutableByteSpan(out->der.bytes));
  if (!n.ok()) {
    *out = pki_appliance_v1_RootCertificateResponse_init_zero;
    if (n.status().code() == StatusCode::kNotFound) {
      return DataLossError("the root certificate is missing from storage");
    }
    return n.status();
  }
  const crypto::Sha256Digest h = crypto::Sha256(ByteSpan(out->der.bytes, *n));
  if (std::memcmp(h.data(), root_cert_sha256_.data(), h.size()) != 0) {
    *out = pki_appliance_v1_RootCertificateResponse_init_zero;
    return DataLossError("the stored root certificate does not match its recorded SHA-256");
  }
  out->der.size = static_cast<pb_size_t>(*n);
  return OkStatus();
}

}  // namespace pki::appliance::device
