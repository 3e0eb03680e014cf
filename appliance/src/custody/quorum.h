// quorum.h — the quorum assembler: collects custodian shares for one
// operation nonce and rebuilds the KEK at exactly M valid shares.
//
// Every share is checked as it is entered (commitment.h: VerifyShare), so a
// bad share is named at once. A repeated index is refused. At M shares the
// KEK is interpolated and checked a second time against the split's KEK
// digest; only then is it available, until End(), a failure of the
// reconstruction, or the deadline. Every share value and the KEK live in
// SecretArrays and are wiped on End(), on expiry, on a failed
// reconstruction and on destruction. No heap.
#ifndef PKI_APPLIANCE_CUSTODY_QUORUM_H_
#define PKI_APPLIANCE_CUSTODY_QUORUM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"
#include "crypto/drbg.h"
#include "custody/shamir.h"
#include "custody/types.h"

namespace pki::appliance::custody {

inline constexpr size_t kNonceSize = 16;
using OperationNonce = std::array<uint8_t, kNonceSize>;

// SubmitResult says how far the quorum is; nothing in it is secret.
struct SubmitResult {
  uint8_t index = 0;      // the share just accepted
  uint8_t accepted = 0;   // shares accepted so far
  uint8_t threshold = 0;  // M
  bool complete = false;  // the KEK is rebuilt and checked
};

class QuorumAssembler final {
 public:
  enum class State : uint8_t { kIdle, kCollecting, kComplete };

  QuorumAssembler() = default;
  ~QuorumAssembler() { End(); }
  QuorumAssembler(const QuorumAssembler&) = delete;
  QuorumAssembler& operator=(const QuorumAssembler&) = delete;

  // Begin starts a session for |split| (borrowed: it must stay unchanged
  // until the session ends; custody ends it before changing its active
  // split) on |appliance|, ending any previous one (wiped). The nonce comes from |drbg| (borrowed for the
  // call) and is written to |out_nonce|; the session expires at
  // |now_ms| + |timeout_ms| (monotonic milliseconds). INVALID_ARGUMENT if
  // |split| is not a valid split or |timeout_ms| is 0; UNAVAILABLE if the
  // DRBG failed (the assembler is then idle).
  [[nodiscard]] Status Begin(const SplitInfo& split, const ApplianceId& appliance,
                             crypto::Drbg& drbg, uint64_t now_ms, uint64_t timeout_ms,
                             OperationNonce* out_nonce);

  // Submit checks one wrapped share (borrowed) with its custodian's
  // |passphrase| (secret, borrowed) for the session |nonce|. Returns the
  // progress. Errors (the session keeps its accepted shares unless said):
  //   FAILED_PRECONDITION no session, or the quorum is already complete
  //   INVALID_ARGUMENT    |nonce| is not this session's
  //   DEADLINE_EXCEEDED   the session expired (everything wiped, now idle)
  //   ALREADY_EXISTS      "custodian X (share i): share already presented"
  //   any VerifyShare error, naming the custodian
  //   DATA_LOSS           M verified shares did not rebuild the KEK the split
  //                       committed to (everything wiped, now idle; a
  //                       corrupted device record)
  StatusOr<SubmitResult> Submit(ByteSpan nonce, ByteSpan wrapped, ByteSpan passphrase,
                                std::string_view claimed_name, uint64_t now_ms);

  // GetKek borrows the rebuilt KEK for the session |nonce|; the pointer is
  // valid until End() or the next call that can expire the session. Fails
  // like Submit (PERMISSION_DENIED if not complete, DEADLINE_EXCEEDED if
  // expired: wiped). The result is checked twice (state and KEK digest) with
  // codes far apart, per STYLE 8.
  StatusOr<const Kek*> GetKek(ByteSpan nonce, uint64_t now_ms);

  // ExpireIfDue wipes the session if |now_ms| is past its deadline; returns
  // true if it did.
  bool ExpireIfDue(uint64_t now_ms);

  // End wipes every share, the KEK and the session; idle afterwards.
  void End();

  State state() const { return state_; }
  // IndicesMask has bit (i - 1) set for each accepted share index i: which
  // custodians form the quorum (never their values).
  uint16_t IndicesMask() const { return mask_; }
  uint8_t accepted() const { return accepted_; }

 private:
  static constexpr uint32_t kCompleteMagic = 0x5AC3E11Bu;  // far from 0 in Hamming distance

  [[nodiscard]] Status CheckSession(ByteSpan nonce, uint64_t now_ms);

  State state_ = State::kIdle;
  uint32_t complete_magic_ = 0;
  const SplitInfo* split_ = nullptr;  // the session's split; null when idle
  ApplianceId appliance_;
  OperationNonce nonce_{};
  uint64_t deadline_ms_ = 0;
  uint16_t mask_ = 0;
  uint8_t accepted_ = 0;
  std::array<ShamirShare, kMaxShares> shares_;
  Kek kek_;
};

}  // namespace pki::appliance::custody

#endif  // PKI_APPLIANCE_CUSTODY_QUORUM_H_
