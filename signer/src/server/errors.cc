#include "server/errors.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace pki::signer {

std::string_view DefaultReason(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "";
    case StatusCode::kInvalidArgument: return "INVALID_REQUEST";
    case StatusCode::kNotFound: return "KEY_NOT_FOUND";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kUnimplemented: return "NOT_IMPLEMENTED";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    // The only sources today are IssueCertificate's request ids: reused for
    // another request, or the same request still being issued.
    case StatusCode::kAlreadyExists: return "REQUEST_ID_REUSED";
    case StatusCode::kAborted: return "REQUEST_IN_PROGRESS";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kOutOfRange: return "OUT_OF_RANGE";
    case StatusCode::kInternal:
    case StatusCode::kUnknown: return "INTERNAL";
  }
  return "INTERNAL";
}

ApiError MakeError(const Status& status, std::string_view reason, std::chrono::milliseconds retry_after) {
  ApiError e{status, std::string(reason.empty() ? DefaultReason(status.code()) : reason), retry_after};
  if (e.retry_after.count() == 0 && (status.code() == StatusCode::kUnavailable ||
                                     status.code() == StatusCode::kResourceExhausted)) {
    e.retry_after = std::chrono::milliseconds(1000);
  }
  return e;
}

ApiError FromPool(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return MakeError(NotFoundError("key not found"), "KEY_NOT_FOUND");
    case StatusCode::kInvalidArgument:
      return MakeError(InvalidArgumentError("the key cannot sign this input with this algorithm"),
                       "UNSUPPORTED_INPUT");
    case StatusCode::kUnavailable:
      return MakeError(UnavailableError("no HSM replica can serve this key now"), "KEY_UNAVAILABLE");
    case StatusCode::kDeadlineExceeded:
      return MakeError(DeadlineExceededError("no HSM session became free in time"), "HSM_BUSY");
    case StatusCode::kResourceExhausted:
      return MakeError(ResourceExhaustedError("no HSM session became free in time"), "HSM_BUSY");
    default:
      return MakeError(InternalError("internal error"), "INTERNAL");
  }
}

grpc::Status ToGrpcStatus(const ApiError& error) {
  if (error.status.ok()) return grpc::Status::OK;
  const StatusCode code = error.status.code();
  std::string message(error.status.message());
  if (code == StatusCode::kInternal || code == StatusCode::kUnknown) message = "internal error";
  google::rpc::Status details;
  details.set_code(static_cast<int32_t>(code));
  details.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_reason(error.reason.empty() ? std::string(DefaultReason(code)) : error.reason);
  info.set_domain(std::string(kErrorDomain));
  details.add_details()->PackFrom(info);
  if (error.retry_after.count() > 0) {
    google::rpc::RetryInfo retry;
    const int64_t ms = error.retry_after.count();
    retry.mutable_retry_delay()->set_seconds(ms / 1000);
    retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>((ms % 1000) * 1000000));
    details.add_details()->PackFrom(retry);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(code), message, details.SerializeAsString());
}

}  // namespace pki::signer
