#include "base/status.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pki {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kUnknown: return "UNKNOWN";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case StatusCode::kAborted: return "ABORTED";
    case StatusCode::kOutOfRange: return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented: return "UNIMPLEMENTED";
    case StatusCode::kInternal: return "INTERNAL";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

Status::Status(StatusCode code, std::string_view message) : code_(code) {
  if (code_ != StatusCode::kOk) Append(message);
}

Status& Status::Append(std::string_view text) {
  size_t room = kMaxMessage - length_;
  size_t n = text.size() < room ? text.size() : room;
  if (n > 0) std::memcpy(message_ + length_, text.data(), n);
  length_ = static_cast<uint8_t>(length_ + n);
  return *this;
}

Status& Status::AppendNumber(uint64_t value) {
  char digits[20];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  char text[20];
  for (size_t i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
  return Append(std::string_view(text, n));
}

Status InvalidArgumentError(std::string_view m) { return Status(StatusCode::kInvalidArgument, m); }
Status NotFoundError(std::string_view m) { return Status(StatusCode::kNotFound, m); }
Status AlreadyExistsError(std::string_view m) { return Status(StatusCode::kAlreadyExists, m); }
Status PermissionDeniedError(std::string_view m) { return Status(StatusCode::kPermissionDenied, m); }
Status FailedPreconditionError(std::string_view m) { return Status(StatusCode::kFailedPrecondition, m); }
Status ResourceExhaustedError(std::string_view m) { return Status(StatusCode::kResourceExhausted, m); }
Status UnavailableError(std::string_view m) { return Status(StatusCode::kUnavailable, m); }
Status InternalError(std::string_view m) { return Status(StatusCode::kInternal, m); }
Status DataLossError(std::string_view m) { return Status(StatusCode::kDataLoss, m); }
Status DeadlineExceededError(std::string_view m) { return Status(StatusCode::kDeadlineExceeded, m); }
Status OutOfRangeError(std::string_view m) { return Status(StatusCode::kOutOfRange, m); }
Status UnimplementedError(std::string_view m) { return Status(StatusCode::kUnimplemented, m); }
Status AbortedError(std::string_view m) { return Status(StatusCode::kAborted, m); }

}  // namespace pki

// A board port defines a strong PkiPanicHook that zeroizes and halts.
extern "C" __attribute__((weak)) void PkiPanicHook(const char* what) {
  std::fputs("panic: ", stderr);
  std::fputs(what, stderr);
  std::fputs("\n", stderr);
}

namespace pki {
[[noreturn]] void Panic(const char* what) {
  PkiPanicHook(what);
  std::abort();
}
}  // namespace pki
