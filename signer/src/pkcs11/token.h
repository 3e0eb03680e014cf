// token.h — one token of the pool: its module and slot, the login (PIN read
// from its file at each login, never kept), the registered keys' cached
// object handles, the session workers, and its health.
//
// Login state in PKCS#11 belongs to the application and token, so the token
// keeps one "anchor" session open for its whole life: the login lasts while
// workers open and close sessions. It never logs out while in rotation.
#ifndef PKI_SIGNER_SRC_PKCS11_TOKEN_H_
#define PKI_SIGNER_SRC_PKCS11_TOKEN_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status_or.h"
#include "key_locator.h"
#include "mechanisms.h"
#include "module.h"
#include "p11.h"
#include "session.h"
#include "session_pool.h"
#include "signer/pkcs11_pool.h"
#include "uri.h"

namespace pki::signer::internal {

class Token final {
 public:
  using Clock = std::chrono::steady_clock;

  // Open opens the anchor session on |slot| of |module| (shared), logs in
  // with the PIN in |pin_file| and starts |sessions| workers. Errors:
  // PERMISSION_DENIED for a PIN file others can read or a refused PIN,
  // NOT_FOUND for a missing PIN file, UNAVAILABLE for a failing token (CKR
  // name in |*out_detail|). Returns a new token the caller owns.
  static StatusOr<std::unique_ptr<Token>> Open(std::shared_ptr<Module> module, CK_SLOT_ID slot,
                                               const CK_TOKEN_INFO& info, std::string pin_file,
                                               uint32_t sessions, std::string* out_detail);
  ~Token();
  Token(const Token&) = delete;
  Token& operator=(const Token&) = delete;

  const std::string& uri() const { return uri_; }
  const std::string& label() const { return label_; }
  const Module& module() const { return *module_; }
  CK_SLOT_ID slot() const { return slot_; }

  // SupportsMechanism is true if the token lists |mech| with CKF_SIGN.
  bool SupportsMechanism(CK_MECHANISM_TYPE mech) const;

  // LocateKey finds and reads the private key |uri| names (see key_locator.h).
  StatusOr<LocatedKey> LocateKey(const Pkcs11Uri& uri, std::string* out_detail);

  // AddKey registers a located key; returns its index on this token. The
  // handle is re-found by |uri| after a re-login and checked against |spki|.
  size_t AddKey(const Pkcs11Uri& uri, const LocatedKey& key);

  // Sign runs |plan| with key |key_index| (see SessionPool::Run for the
  // deadlines). The raw signature is in the result's output.
  SessionPool::Result Sign(size_t key_index, const SignPlan& plan, Clock::time_point start_by,
                           Clock::time_point finish_by);

  // Relogin logs in again (already-logged-in is fine) and re-finds the key
  // handles. Returns what failed, CKR name in |*out_detail|.
  Status Relogin(std::string* out_detail);

  // Reinitialize closes every session of the token, opens a new anchor,
  // logs in, re-finds the keys and checks they still hold the same public
  // keys. For a token out of rotation only.
  Status Reinitialize(std::string* out_detail);

  // Probe signs a fixed digest with the first key by |deadline|. Returns
  // RESOURCE_EXHAUSTED if every session was busy (says nothing of health),
  // UNAVAILABLE for a failing or hanging token, another code for another
  // failure (CKR name in |*out_detail|).
  // |*out_reason| (if non-null) gets the failure's class (see
  // TokenStatus::reason) when it is not OK.
  Status Probe(Clock::time_point deadline, std::string* out_detail, std::string* out_reason = nullptr);

  // Health: in rotation or not.
  bool healthy() const { return healthy_.load(); }
  // MarkFailed takes the token out of rotation (the pool's health thread
  // re-initializes it); |why| is kept as last_error. Returns true if it was
  // healthy before; then "since" becomes now and |reason| (device, login,
  // session, timeout, other) is kept until it rejoins.
  bool MarkFailed(std::string_view why, std::string_view reason);
  // MarkHealthy puts it back in rotation ("since" becomes now if it was out).
  void MarkHealthy();
  void RecordSuccess() { signatures_.fetch_add(1); }
  void RecordFailure(std::string_view why);
  // Load is the calls queued or running on this token now.
  uint32_t load() const { return sessions_->load(); }

  // Backoff scheduling for the health thread (called by it only).
  Clock::time_point next_attempt() const { return next_attempt_; }
  void ScheduleRetry(std::chrono::milliseconds max_backoff);
  void ResetBackoff();

  // Describe returns what an operator may see.
  TokenStatus Describe() const;

 private:
  struct KeySlot {
    Pkcs11Uri uri;
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
    std::string spki;
    KeyKind kind = KeyKind::kEcP256;
  };

  Token(std::shared_ptr<Module> module, CK_SLOT_ID slot, const CK_TOKEN_INFO& info,
        std::string pin_file, uint32_t sessions);
  // Login logs in on the anchor session. mu_ must be held.
  pki::Status LoginLocked(std::string* out_detail);
  // RefindLocked re-finds every key handle. mu_ must be held.
  pki::Status RefindLocked(bool check_keys, std::string* out_detail);

  std::shared_ptr<Module> module_;
  CK_FUNCTION_LIST* fn_;
  CK_SLOT_ID slot_;
  std::string uri_;
  std::string label_;
  std::string pin_file_;
  std::vector<CK_MECHANISM_TYPE> mechanisms_;

  mutable std::mutex mu_;  // guards anchor_, keys_, last_error_, since_unix_, reason_, transitions of healthy_
  Session anchor_;
  std::vector<KeySlot> keys_;
  std::string last_error_;
  int64_t since_unix_ = 0;  // wall clock: when healthy_ last changed (or the token opened)
  std::string reason_;      // why it left rotation; "" while in rotation

  std::unique_ptr<SessionPool> sessions_;
  std::atomic<bool> healthy_{true};
  std::atomic<uint64_t> signatures_{0};
  std::atomic<uint64_t> failures_{0};
  std::atomic<uint64_t> reinitializations_{0};
  Clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
};

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_SRC_PKCS11_TOKEN_H_
