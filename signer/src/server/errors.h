// errors.h — the one firewall from our Status to grpc::Status.
//
// Every error the API returns passes through ToGrpcStatus: the code is ours
// (numbered like gRPC's), the details carry a google.rpc.Status with a
// google.rpc.ErrorInfo (reason, domain "signer.pki") and, where a retry helps
// (UNAVAILABLE, RESOURCE_EXHAUSTED), a google.rpc.RetryInfo. Messages that
// could carry internals (INTERNAL, UNKNOWN, and anything from the HSM pool)
// are replaced by fixed texts; the original goes to the audit log only.
#ifndef PKI_SIGNER_SERVER_ERRORS_H_
#define PKI_SIGNER_SERVER_ERRORS_H_

#include <grpcpp/support/status.h>

#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pki::signer {

inline constexpr std::string_view kErrorDomain = "signer.pki";

struct ApiError {
  Status status;
  std::string reason;  // UPPER_SNAKE_CASE, e.g. "KEY_NOT_FOUND"
  std::chrono::milliseconds retry_after{0};  // > 0: send RetryInfo
};

// DefaultReason returns the reason used for |code| when a call site has none.
std::string_view DefaultReason(StatusCode code);

// MakeError returns an ApiError for |status| with |reason| (DefaultReason if
// empty) and, for UNAVAILABLE/RESOURCE_EXHAUSTED without |retry_after|, a
// one-second retry hint.
ApiError MakeError(const Status& status, std::string_view reason = {},
                   std::chrono::milliseconds retry_after = std::chrono::milliseconds(0));

// FromPool maps an error of the HSM pool to what a client may see: the code
// is kept, the message is a fixed text per code (never a PKCS#11 detail).
ApiError FromPool(const Status& status);

// ToGrpcStatus converts |error| (OK gives grpc::Status::OK). Never fails.
grpc::Status ToGrpcStatus(const ApiError& error);

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_ERRORS_H_
