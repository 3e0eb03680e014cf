// semihosting.h — Arm semihosting calls (BKPT 0xAB), the emulated board's
// channel to the host: console output, files, time, the command line and the
// exit code.
//
// Under QEMU (-semihosting-config enable=on,target=native) every call runs on
// the host. On a real board without a debugger attached the BKPT escalates to
// a HardFault, so only test and emulation builds may rely on these calls; the
// HAL ports that do (storage, wall clock) say so.
#ifndef PKI_HW_BOARDS_SEMIHOSTING_H_
#define PKI_HW_BOARDS_SEMIHOSTING_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::hw::board::semihost {

// Operation numbers from the Arm semihosting specification v2.
enum class Op : uint32_t {
  kOpen = 0x01,
  kClose = 0x02,
  kWriteC = 0x03,
  kWrite = 0x05,
  kRead = 0x06,
  kSeek = 0x0A,
  kFileLength = 0x0C,
  kRemove = 0x0E,
  kTime = 0x11,
  kErrno = 0x13,
  kGetCmdline = 0x15,
  kExitExtended = 0x20,
};

// Open modes (fopen equivalents).
enum class OpenMode : uint32_t {
  kReadBinary = 1,   // "rb"
  kWriteBinary = 5,  // "wb": create or truncate
};

// Host errno values the callers distinguish.
inline constexpr int kHostEnoent = 2;

// Call performs semihosting operation |op| with parameter |arg| (a pointer to
// the operation's parameter block, or a value) and returns the host's r0.
uint32_t Call(Op op, uintptr_t arg);

// Open opens host file |path| (at most kMaxPath bytes) in |mode| and returns
// its handle. INVALID_ARGUMENT if |path| is too long; NOT_FOUND if the host
// says ENOENT; UNAVAILABLE for any other host error.
inline constexpr size_t kMaxPath = 255;
[[nodiscard]] StatusOr<int> Open(std::string_view path, OpenMode mode);

// Close closes |handle|; UNAVAILABLE if the host failed.
[[nodiscard]] Status Close(int handle);

// Write writes all of |data| to |handle|; UNAVAILABLE if the host wrote less
// (some prefix may have been written). Borrows |data|.
[[nodiscard]] Status Write(int handle, ByteSpan data);

// Read fills |out| from |handle| and returns the number of bytes read (less
// than |out|.size() only at end of file); UNAVAILABLE if the host failed.
[[nodiscard]] StatusOr<size_t> Read(int handle, MutableByteSpan out);

// FileLength returns the length of the open file |handle|; UNAVAILABLE on a
// host error.
[[nodiscard]] StatusOr<size_t> FileLength(int handle);

// Remove deletes host file |path|. NOT_FOUND if it did not exist,
// INVALID_ARGUMENT if |path| is too long, UNAVAILABLE otherwise.
[[nodiscard]] Status Remove(std::string_view path);

// TimeSeconds returns the host's wall clock in seconds since 1970;
// UNAVAILABLE if the host refused.
[[nodiscard]] StatusOr<int64_t> TimeSeconds();

// HostErrno returns the host errno of the last failed call.
int HostErrno();

// GetCommandLine copies the command line QEMU was given (-append) into |out|
// as a NUL-terminated string and returns its length without the NUL.
// UNAVAILABLE if the host refused or it does not fit.
[[nodiscard]] StatusOr<size_t> GetCommandLine(std::span<char> out);

}  // namespace pki::hw::board::semihost

#endif  // PKI_HW_BOARDS_SEMIHOSTING_H_
