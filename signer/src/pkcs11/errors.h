// errors.h — the one place that maps PKCS#11 return values to Status.
//
// Messages of the Status values made here never carry CKR_ names (clients
// must not learn HSM internals); the CKR_ name goes to a detail string meant
// for the audit log and operators.
#ifndef PKI_SIGNER_SRC_PKCS11_ERRORS_H_
#define PKI_SIGNER_SRC_PKCS11_ERRORS_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "p11.h"

namespace pki::signer::internal {

// What the pool does after a failed call.
enum class RvClass {
  kOk,
  kSessionBroken,  // close the session, never reuse it, retry
  kRelogin,        // log in again and re-find handles, then retry
  kTokenFailed,    // take the token out of rotation, re-initialize it, retry elsewhere
  kBadInput,       // the request itself is wrong: no retry
  kAuth,           // PIN refused or locked: configuration problem
  kOther,          // anything else: try another replica, no token action
};

// CkrName returns "CKR_DEVICE_ERROR" etc.; "CKR_0x..." for unknown values.
// The returned string is owned by the caller.
std::string CkrName(CK_RV rv);

// ClassifyRv says what to do after |rv|.
RvClass ClassifyRv(CK_RV rv);

// ReasonOfRv returns the operator-facing class of a failure |rv| (for
// TokenStatus::reason): "device", "login", "session" or "other".
const char* ReasonOfRv(CK_RV rv);

// RvDetail returns "<what>: CKR_..." for detail strings and logs.
std::string RvDetail(std::string_view what, CK_RV rv);

// RvToStatus returns a Status for a failed call |what| (no CKR name in the
// message): UNAVAILABLE for token/session failures, INVALID_ARGUMENT for bad
// input, PERMISSION_DENIED for PIN problems, INTERNAL otherwise. Appends
// RvDetail to |*out_detail| when it is non-null ("; "-separated).
Status RvToStatus(std::string_view what, CK_RV rv, std::string* out_detail);

// AppendDetail appends |text| to |*out_detail| ("; "-separated) if non-null.
void AppendDetail(std::string* out_detail, std::string_view text);

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_SRC_PKCS11_ERRORS_H_
