// device.h — the root appliance's device logic: lifecycle state machine,
// quorum sessions, provisioning and the operations a quorum approves.
//
// States: UNPROVISIONED --Init--> LOCKED --quorum for one operation-->
// UNLOCKED --Execute/Abort/timeout--> LOCKED; Decommission (a quorum
// operation) or a tamper event --> DECOMMISSIONED, terminal. UNLOCKED is RAM
// only: a reboot comes back LOCKED with nothing reassembled.
//
// A quorum session (BeginOperation) fixes one operation: its parameters are
// checked, its to-be-signed bytes built and their SHA-256 shown on the
// Display (hex and PGP words) before any share is entered; shares count only
// for that session's nonce; the KEK they rebuild, the unsealed root key and
// the session are wiped when the operation ends, fails or times out. Every
// state change and operation is journaled before its result is released.
//
// Everything comes in through DevicePorts (no globals). No heap: the Device
// is built in place in a caller-owned std::optional (about 21 KiB on a
// 32-bit board).
#ifndef PKI_APPLIANCE_DEVICE_DEVICE_H_
#define PKI_APPLIANCE_DEVICE_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "appliance/v1/link.nanopb.h"
#include "base/status_or.h"
#include "crypto/drbg.h"
#include "custody/custody.h"
#include "device/device_record.h"
#include "device/journal_sink.h"
#include "device/operation_engine.h"
#include "hw/clock.h"
#include "hw/display.h"
#include "hw/storage.h"
#include "hw/tamper.h"
#include "journal/audit_key.h"

namespace pki::appliance::device {

// The hardware and services a Device borrows; all must outlive it.
struct DevicePorts {
  hw::Storage* storage = nullptr;
  hw::Clock* clock = nullptr;
  crypto::Drbg* drbg = nullptr;  // seeded from the entropy port by the caller
  hw::Display* display = nullptr;
  hw::Tamper* tamper = nullptr;
  JournalSink* journal = nullptr;
  OperationEngine* engine = nullptr;
  // The device audit key (the journal's signer); signs transcripts
  // (SignTranscript). Optional: without it SignTranscript is UNIMPLEMENTED.
  journal::AuditSigner* audit_signer = nullptr;
};

struct DeviceConfig {
  std::string_view device_id = "appliance-sim";  // 1..39 bytes, bound into every share
  std::string_view firmware_version = "0.1.0";   // at most 31 bytes
  uint64_t quorum_timeout_ms = 15 * 60 * 1000;
  // PBKDF2 iterations for new shares; production builds refuse fewer than
  // 600000 (custody enforces it).
  uint32_t share_iterations = custody::kDefaultShareIterations;
  // The journal's audit public key (DER SPKI) GetStatus reports, so the host
  // can verify exports. Borrowed.
  ByteSpan audit_public_key;
};

// Lockout: after kLockoutThreshold shares rejected in a row (persisted in
// the device record, so a power cycle does not reset it) BeginOperation is
// refused for a back-off measured on the monotonic clock: kLockoutBaseMs,
// doubled for every further rejection, at most kLockoutMaxMs. A reboot while
// locked out starts the back-off again from boot. An accepted share resets
// the count.
inline constexpr uint32_t kLockoutThreshold = 5;
inline constexpr uint64_t kLockoutBaseMs = 60 * 1000;
inline constexpr uint64_t kLockoutMaxMs = 60 * 60 * 1000;

class Device final {
  class Token {
    friend class Device;
    Token() = default;
  };

 public:
  using StatusResponse = pki_appliance_v1_StatusResponse;

  // Create boots a device in |out|: loads the device record (a new device
  // if none), counts the boot, loads custody, and journals the boot.
  // INVALID_ARGUMENT if a port is missing or the config is bad; DATA_LOSS if
  // stored state is corrupt or inconsistent; UNAVAILABLE if storage failed.
  // |out| is empty on failure.
  [[nodiscard]] static Status Create(const DevicePorts& ports, const DeviceConfig& config,
                                     std::optional<Device>& out);

  explicit Device(Token) {}  // use Create
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // ---- requests (each returns OK and fills |out|, or an error naming what
  // was wrong; a failed request changes no state except counters/journal) --

  // GetStatus works in every state, tampered included. Never fails.
  Status GetStatus(StatusResponse* out);
  // Init provisions the root (UNPROVISIONED only).
  Status Init(const pki_appliance_v1_InitRequest& req, pki_appliance_v1_InitResponse* out);
  // SetTime sets the time directly (UNPROVISIONED only; later via a quorum).
  Status SetTime(const pki_appliance_v1_SetTimeRequest& req, pki_appliance_v1_SetTimeResponse* out);
  Status BeginOperation(const pki_appliance_v1_BeginOperationRequest& req,
                        pki_appliance_v1_BeginOperationResponse* out);
  Status SubmitShare(const pki_appliance_v1_SubmitShareRequest& req,
                     pki_appliance_v1_SubmitShareResponse* out);
  Status Execute(const pki_appliance_v1_ExecuteRequest& req, pki_appliance_v1_ExecuteResponse* out);
  Status Abort(const pki_appliance_v1_AbortRequest& req);
  Status FetchResult(const pki_appliance_v1_FetchResultRequest& req, pki_appliance_v1_ResultChunk* out);
  Status ExportJournal(const pki_appliance_v1_ExportJournalRequest& req,
                       pki_appliance_v1_JournalChunk* out);
  Status AckExport(const pki_appliance_v1_AckExportRequest& req,
                   pki_appliance_v1_AckExportResponse* out);
  // SignTranscript signs "pki-transcript-v1" || transcript_sha256 with the
  // audit key after journaling the request (LOCKED/UNLOCKED only).
  // INVALID_ARGUMENT if the digest is not 32 bytes; FAILED_PRECONDITION when
  // unprovisioned or decommissioned; RESOURCE_EXHAUSTED if the journal is
  // full (nothing signed); UNIMPLEMENTED without an audit signer.
  Status SignTranscript(const pki_appliance_v1_SignTranscriptRequest& req,
                        pki_appliance_v1_SignTranscriptResponse* out);
  // GetRootCertificate copies the stored root certificate DER into |out|.
  // FAILED_PRECONDITION if there is no root; DATA_LOSS if the stored copy
  // does not match the SHA-256 the device reports.
  Status GetRootCertificate(pki_appliance_v1_RootCertificateResponse* out);

  // ConfirmShare checks one custodian's re-entered share against the split
  // staged by Init or ChangeCustodians; when every share is confirmed it
  // commits the split (Init: stores the root and becomes LOCKED; re-split:
  // retires the old split), journaled. FAILED_PRECONDITION if no split is
  // staged; the share's error naming the custodian (counted and journaled as
  // a failed attempt; the staged split stays for a retry).
  Status ConfirmShare(const pki_appliance_v1_ConfirmShareRequest& req,
                      pki_appliance_v1_ConfirmShareResponse* out);
  // CancelSplit wipes a staged split (Init: nothing was stored; re-split:
  // the old split stays), journaled. FAILED_PRECONDITION if none is staged.
  Status CancelSplit();

  // Tick is called between requests: it polls the tamper line (and
  // zeroizes on a trip) and expires a quorum session past its deadline.
  void Tick();

  // Tampered is true once the tamper line tripped (persisted).
  bool Tampered() const { return record_.tampered; }
  // State is the state GetStatus reports.
  pki_appliance_v1_DeviceState State() const;

 private:
  // A quorum session. |phase| uses values far apart in Hamming distance: the
  // decision to release a signature checks it and custody's own state.
  enum class Phase : uint32_t { kNone = 0, kCollecting = 0x3CA55AC3u, kApproved = 0xC35AA53Cu };
  struct Session {
    Phase phase = Phase::kNone;
    PreparedOperation prepared;
    custody::OperationNonce nonce{};
    Sha256Bytes request_sha256{};
    uint16_t custodians = 0;
  };

  // Journal appends an event (with the current device time) and returns its
  // sequence number; the journal's error if it could not be written.
  StatusOr<uint64_t> Journal(EventType type, const Sha256Bytes& inputs,
                             const Sha256Bytes& outputs, uint16_t custodians);
  // SaveRecord persists record_ (kept in RAM only if that succeeds).
  [[nodiscard]] Status SaveRecord(const DeviceRecord& updated);
  // EndSession wipes the session, custody's quorum and nothing else.
  void EndSession();
  // Zeroize wipes every secret in RAM (session, quorum, staged split,
  // cached results).
  void Zeroize();
  void OnTamper();
  // CheckSession finds the session for |nonce|; errors as documented in
  // docs/appliance-link.md.
  [[nodiscard]] Status CheckSession(ByteSpan nonce) const;
  [[nodiscard]] Status ShowSession(const pki_appliance_v1_BeginOperationResponse& resp);
  [[nodiscard]] Status ShowLines(std::span<const std::string_view> lines);
  [[nodiscard]] Status PrepareBuiltin(const pki_appliance_v1_BeginOperationRequest& req,
                                      int64_t now, PreparedOperation* out);
  [[nodiscard]] Status ExecuteApproved(const custody::Kek& kek,
                                       pki_appliance_v1_ExecuteResponse* out);
  // |missing_ok|: no root certificate is not an error (a device tampered
  // before it was provisioned).
  [[nodiscard]] Status LoadRootDigest(bool missing_ok = false);
  void SetResult(ByteSpan data);
  void ClearResult();

  // A split staged by Init or ChangeCustodians, waiting for every custodian
  // to confirm their share (RAM only: a reboot drops it).
  struct PendingSplit {
    enum class Kind : uint8_t { kNone, kInit, kResplit };
    Kind kind = Kind::kNone;
    uint64_t deadline_ms = 0;       // monotonic; wiped after it
    Sha256Bytes inputs{};           // what the commit's journal record names
    uint16_t custodians = 0;        // the quorum that approved a re-split
    int64_t time = 0;               // Init's device time
    size_t cert_size = 0;           // Init: the root certificate in result_
    size_t sealed_key_size = 0;     // Init: the sealed root key in room_.staged_key
  };
  [[nodiscard]] Status CommitPendingSplit(uint64_t* journal_sequence);
  // LockoutRemainingMs is how long quorum sessions stay refused (0: not
  // locked out).
  uint64_t LockoutRemainingMs() const;
  void DropPendingSplit();

  DevicePorts ports_;
  DeviceConfig config_;
  DeviceRecord record_;
  std::optional<custody::Custody> custody_;
  Session session_;
  bool has_root_ = false;
  Sha256Bytes root_cert_sha256_{};
  // What FetchResult serves: the root certificate (Init, boot), the TBS
  // (BeginOperation), the signed certificate or CRL (Execute), the
  // destruction record (Decommission).
  uint8_t result_[kMaxResultSize] = {};
  size_t result_size_ = 0;
  // Room for two things never live at once (the state machine keeps them
  // apart: sessions only while LOCKED, a staged Init only while
  // UNPROVISIONED):
  //  - session: what Execute needs of the session's request beyond
  //    session_.prepared, a built-in operation's parameters (new custodians'
  //    passphrases: wiped by EndSession). Before a session opens,
  //    BeginOperation uses it for the request digest's copy with the
  //    passphrases emptied.
  //  - staged_key: Init's sealed root key until every custodian has
  //    confirmed (the certificate waits in result_); wiped by
  //    DropPendingSplit or the commit.
  struct BuiltinParams {
    int64_t set_time;
    pki_appliance_v1_ChangeCustodiansRequest change_custodians;
  };
  union SharedRoom {
    BuiltinParams session;
    alignas(8) uint8_t staged_key[kMaxSealedKeySize];
  };
  SharedRoom room_{};
  PendingSplit pending_;
  uint64_t lockout_from_ms_ = 0;  // monotonic start of the current back-off
};

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_DEVICE_H_
