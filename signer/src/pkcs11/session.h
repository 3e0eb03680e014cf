// session.h — a move-only PKCS#11 session: closed when dropped.
#ifndef PKI_SIGNER_SRC_PKCS11_SESSION_H_
#define PKI_SIGNER_SRC_PKCS11_SESSION_H_

#include <string>
#include <utility>

#include "base/status_or.h"
#include "errors.h"
#include "p11.h"

namespace pki::signer::internal {

class Session final {
 public:
  Session() = default;
  // Open opens a serial session on |slot| of |fn| (borrowed; must outlive the
  // session), read-write if |rw|. UNAVAILABLE etc. via RvToStatus on failure.
  static StatusOr<Session> Open(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, bool rw,
                                std::string* out_detail) {
    CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
    CK_FLAGS flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
    CK_RV rv = fn->C_OpenSession(slot, flags, nullptr, nullptr, &h);
    if (rv != CKR_OK) return RvToStatus("C_OpenSession", rv, out_detail);
    return Session(fn, h);
  }
  // OpenRv is Open returning the raw CK_RV (for callers that classify it).
  static CK_RV OpenRv(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, bool rw, Session* out) {
    CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
    CK_FLAGS flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
    CK_RV rv = fn->C_OpenSession(slot, flags, nullptr, nullptr, &h);
    if (rv == CKR_OK) *out = Session(fn, h);
    return rv;
  }

  ~Session() { Close(); }
  Session(Session&& other) noexcept : fn_(other.fn_), handle_(other.handle_) {
    other.handle_ = CK_INVALID_HANDLE;
  }
  Session& operator=(Session&& other) noexcept {
    if (this != &other) {
      Close();
      fn_ = other.fn_;
      handle_ = std::exchange(other.handle_, CK_INVALID_HANDLE);
    }
    return *this;
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool valid() const { return handle_ != CK_INVALID_HANDLE; }
  CK_SESSION_HANDLE get() const { return handle_; }
  CK_FUNCTION_LIST* fn() const { return fn_; }

  // Close closes the session (errors ignored: it is going away either way).
  void Close() {
    if (handle_ != CK_INVALID_HANDLE) fn_->C_CloseSession(handle_);
    handle_ = CK_INVALID_HANDLE;
  }
  // Forget drops the handle without closing it (it was closed underneath us,
  // e.g. by C_CloseAllSessions).
  void Forget() { handle_ = CK_INVALID_HANDLE; }

 private:
  Session(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE h) : fn_(fn), handle_(h) {}

  CK_FUNCTION_LIST* fn_ = nullptr;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
};

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_SRC_PKCS11_SESSION_H_
