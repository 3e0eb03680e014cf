// status.h — a non-allocating status for every part, firmware included.
//
// A Status is a code (numbered like gRPC's, so the signer's firewall maps it
// one to one) plus a short message held inline: no heap, no exceptions. A
// message longer than kMaxMessage is truncated, never an error.
#ifndef PKI_BASE_STATUS_H_
#define PKI_BASE_STATUS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pki {

// Numbered as google.rpc.Code.
enum class StatusCode : uint8_t {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// StatusCodeName returns the canonical upper-case name ("INVALID_ARGUMENT").
// Never fails: an unknown value yields "UNKNOWN".
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status final {
 public:
  static constexpr size_t kMaxMessage = 119;

  // An OK status.
  constexpr Status() = default;
  // A status with |code| and a copy of |message| (truncated to kMaxMessage).
  Status(StatusCode code, std::string_view message);

  Status(const Status&) = default;
  Status& operator=(const Status&) = default;

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The message; valid while this Status lives. Empty for OK.
  std::string_view message() const { return std::string_view(message_, length_); }

  // Append adds |text| to the message (truncating); returns *this so calls
  // chain: Status(kInvalidArgument, "share ").Append(name).Append(": bad MAC").
  Status& Append(std::string_view text);
  // AppendNumber adds the decimal form of |value|.
  Status& AppendNumber(uint64_t value);

  // Ignore explicitly discards a status whose failure does not matter.
  void Ignore() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  uint8_t length_ = 0;
  char message_[kMaxMessage] = {};
};

inline Status OkStatus() { return Status(); }

// Shorthands for the codes used most; each copies |message|.
Status InvalidArgumentError(std::string_view message);
Status NotFoundError(std::string_view message);
Status AlreadyExistsError(std::string_view message);
Status PermissionDeniedError(std::string_view message);
Status FailedPreconditionError(std::string_view message);
Status ResourceExhaustedError(std::string_view message);
Status UnavailableError(std::string_view message);
Status InternalError(std::string_view message);
Status DataLossError(std::string_view message);
Status DeadlineExceededError(std::string_view message);
Status OutOfRangeError(std::string_view message);
Status UnimplementedError(std::string_view message);
Status AbortedError(std::string_view message);

// Panic handles a broken invariant: it is the one place the process stops.
// On the host it prints |what| and aborts; a board port overrides
// PkiPanicHook (weak) to zeroize and halt.
[[noreturn]] void Panic(const char* what);

}  // namespace pki

// Returns from the enclosing function if |expr| yields a non-OK Status.
#define PKI_RETURN_IF_ERROR(expr)                \
  do {                                           \
    ::pki::Status pki_status_tmp_ = (expr);      \
    if (!pki_status_tmp_.ok()) return pki_status_tmp_; \
  } while (0)

// Stops the process if |cond| is false: for invariants, never for input.
#define PKI_CHECK(cond)                                              \
  do {                                                               \
    if (!(cond)) ::pki::Panic("check failed: " #cond " at " __FILE__); \
  } while (0)

#endif  // PKI_BASE_STATUS_H_
