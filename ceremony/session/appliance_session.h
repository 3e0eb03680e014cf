// appliance_session.h — the operations the ceremony runner needs from the
// root appliance, in the runner's own terms. The production implementation
// sits on host-agent's link client (not landed yet: see the report); tests
// use a fault-injecting fake (tests/ceremony/fake_appliance_session.h).
//
// Passphrases cross this interface only as SecretBuffers; an implementation
// copies them into the wire message, sends it and wipes the copy.
#ifndef PKI_CEREMONY_SESSION_APPLIANCE_SESSION_H_
#define PKI_CEREMONY_SESSION_APPLIANCE_SESSION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "appliance/v1/link.pb.h"
#include "base/status_or.h"
#include "common/secret_buffer.h"

namespace pki::ceremony {

struct ApplianceStatus {
  std::string state;  // "UNPROVISIONED", "LOCKED", ...
  std::string device_id;
  std::string firmware_version;
  bool production_build = false;
  std::string root_cert_sha256;  // raw 32 bytes; empty before root-init
  uint64_t journal_sequence = 0;
  uint64_t journal_first_sequence = 0;  // oldest record the appliance keeps (not yet acknowledged)
  std::string journal_head;
  uint64_t crl_number = 0;
  uint32_t threshold = 0;
  std::vector<std::string> custodians;
  uint32_t consecutive_failures = 0;  // shares rejected in a row
  uint32_t lockout_seconds = 0;       // quorum sessions refused for this much longer
  std::string pending_operation;      // "SIGN_INTERMEDIATE", ... if a quorum session is open; else empty
  uint32_t shares_accepted = 0;       // shares accepted for it so far
};

// What the appliance answered to BeginOperation.
struct OperationPreview {
  std::string nonce;
  std::string request_sha256;  // what its display shows
  std::string displayed_words; // PGP words of request_sha256 as the device renders them
  std::string tbs_der;         // the exact to-be-signed bytes (empty for no-signature operations)
  std::string tbs_sha256;
  std::string preview;         // human-readable summary
  uint32_t shares_needed = 0;
};

struct WrappedShareFile {
  std::string custodian;
  std::string wrapped;  // opaque to the host
};

struct OperationResult {
  std::string result_der;  // certificate or CRL; empty for operations without one
  uint64_t journal_sequence = 0;
  std::vector<WrappedShareFile> shares;  // change-custodians
};

struct CustodianPassphrase {
  std::string name;
  SecretBuffer passphrase;
};

class ApplianceSession {
 public:
  virtual ~ApplianceSession() = default;

  // GetStatus returns the appliance's identity and counters; UNAVAILABLE if
  // it does not answer.
  virtual StatusOr<ApplianceStatus> GetStatus() = 0;
  // RootCertificateDer returns the root certificate; FAILED_PRECONDITION
  // before root-init.
  virtual StatusOr<std::string> RootCertificateDer() = 0;
  // Init creates the root (only when UNPROVISIONED) from |request| (its
  // custodians' passphrases are ignored) and |passphrases| (borrowed, one per
  // custodian in order). Returns the root certificate in result_der and the
  // wrapped shares.
  virtual StatusOr<OperationResult> Init(const appliance::v1::InitRequest& request,
                                         const std::vector<CustodianPassphrase>& passphrases) = 0;
  // ConfirmShare has |custodian| re-enter the wrapped share Init or an
  // executed change-custodians just gave them, with their passphrase (both
  // borrowed); sets *committed when this was the last and the appliance
  // committed the split. Returns the shares confirmed so far.
  // PERMISSION_DENIED/INVALID_ARGUMENT naming the custodian if it does not
  // open; FAILED_PRECONDITION if no split is staged.
  virtual StatusOr<uint32_t> ConfirmShare(const std::string& custodian, const std::string& wrapped_share,
                                          const SecretBuffer& passphrase, bool* committed) = 0;
  // CancelSplit wipes a staged, unconfirmed split (Init leaves nothing; a
  // re-split leaves the old split in force).
  virtual Status CancelSplit() = 0;
  // Begin opens a quorum session for |request|; FAILED_PRECONDITION if one is
  // already open, INVALID_ARGUMENT for parameters the appliance refuses.
  virtual StatusOr<OperationPreview> Begin(const appliance::v1::BeginOperationRequest& request) = 0;
  // SubmitShare relays one custodian's wrapped share and passphrase (both
  // borrowed); returns the shares accepted so far. PERMISSION_DENIED if the
  // appliance rejects the share (wrong passphrase or not this custodian's).
  virtual StatusOr<uint32_t> SubmitShare(const std::string& nonce, const std::string& custodian,
                                         const std::string& wrapped_share,
                                         const SecretBuffer& passphrase) = 0;
  // Execute performs the approved operation once and returns its result.
  virtual StatusOr<OperationResult> Execute(const std::string& nonce) = 0;
  // Abort closes the session for |nonce| (empty: whatever session is
  // pending); the appliance zeroizes the quorum.
  virtual Status Abort(const std::string& nonce) = 0;
  // ExportJournal returns the encoded journal records from |from_sequence|
  // and sets |out_head| (raw SHA-256) and |out_next_sequence|.
  virtual StatusOr<std::string> ExportJournal(uint64_t from_sequence, std::string* out_head,
                                              uint64_t* out_next_sequence) = 0;
  virtual Status AckExport(uint64_t up_to_sequence, const std::string& head) = 0;
  // SignAuditDigest asks the appliance to sign the 32-byte transcript digest
  // |sha256| with its audit key; the signature covers "pki-transcript-v1" ||
  // sha256 (docs/appliance-link.md, TranscriptSignatureMessage) and is
  // returned as DER. AuditPublicKeyDer returns that key's
  // SubjectPublicKeyInfo. UNIMPLEMENTED on firmware without the operation;
  // RESOURCE_EXHAUSTED if the appliance's journal is full.
  virtual StatusOr<std::string> SignAuditDigest(const std::string& sha256) = 0;
  virtual StatusOr<std::string> AuditPublicKeyDer() = 0;
};

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_SESSION_APPLIANCE_SESSION_H_
