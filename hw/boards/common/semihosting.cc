#include "hw/boards/semihosting.h"

#include <cstring>

namespace pki::hw::board::semihost {
namespace {

// PathBuffer holds a NUL-terminated copy of a path for the host.
struct PathBuffer {
  char text[kMaxPath + 1] = {};
  size_t size = 0;
};

Status CopyPath(std::string_view path, PathBuffer* out) {
  if (path.empty() || path.size() > kMaxPath) {
    return InvalidArgumentError("semihosting: path empty or longer than 255 bytes");
  }
  std::memcpy(out->text, path.data(), path.size());
  out->text[path.size()] = '\0';
  out->size = path.size();
  return OkStatus();
}

uintptr_t Addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

}  // namespace

uint32_t Call(Op op, uintptr_t arg) {
  register uint32_t r0 asm("r0") = static_cast<uint32_t>(op);
  register uintptr_t r1 asm("r1") = arg;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

int HostErrno() { return static_cast<int>(Call(Op::kErrno, 0)); }

StatusOr<int> Open(std::string_view path, OpenMode mode) {
  PathBuffer buffer;
  PKI_RETURN_IF_ERROR(CopyPath(path, &buffer));
  const uintptr_t block[3] = {Addr(buffer.text), static_cast<uintptr_t>(mode), buffer.size};
  const auto handle = static_cast<int32_t>(Call(Op::kOpen, Addr(block)));
  if (handle < 0) {
    if (HostErrno() == kHostEnoent) return NotFoundError("semihosting: no such host file");
    return Status(StatusCode::kUnavailable, "semihosting: host open failed, errno ")
        .AppendNumber(static_cast<uint32_t>(HostErrno()));
  }
  return handle;
}

Status Close(int handle) {
  const uintptr_t block[1] = {static_cast<uintptr_t>(handle)};
  if (Call(Op::kClose, Addr(block)) != 0) return UnavailableError("semihosting: host close failed");
  return OkStatus();
}

Status Write(int handle, ByteSpan data) {
  const uintptr_t block[3] = {static_cast<uintptr_t>(handle), Addr(data.data()), data.size()};
  // The host returns the number of bytes NOT written.
  if (Call(Op::kWrite, Addr(block)) != 0) return UnavailableError("semihosting: short host write");
  return OkStatus();
}

StatusOr<size_t> Read(int handle, MutableByteSpan out) {
  const uintptr_t block[3] = {static_cast<uintptr_t>(handle), Addr(out.data()), out.size()};
  // The host returns the number of bytes NOT read.
  const uint32_t missing = Call(Op::kRead, Addr(block));
  if (missing > out.size()) return UnavailableError("semihosting: host read failed");
  return out.size() - missing;
}

StatusOr<size_t> FileLength(int handle) {
  const uintptr_t block[1] = {static_cast<uintptr_t>(handle)};
  const auto length = static_cast<int32_t>(Call(Op::kFileLength, Addr(block)));
  if (length < 0) return UnavailableError("semihosting: host file length failed");
  return static_cast<size_t>(length);
}

Status Remove(std::string_view path) {
  PathBuffer buffer;
  PKI_RETURN_IF_ERROR(CopyPath(path, &buffer));
  const uintptr_t block[2] = {Addr(buffer.text), buffer.size};
  if (Call(Op::kRemove, Addr(block)) != 0) {
    if (HostErrno() == kHostEnoent) return NotFoundError("semihosting: no such host file");
    return UnavailableError("semihosting: host remove failed");
  }
  return OkStatus();
}

StatusOr<int64_t> TimeSeconds() {
  // An unsigned 32-bit count (good until 2106); all ones means failure.
  const uint32_t seconds = Call(Op::kTime, 0);
  if (seconds == 0 || seconds == 0xFFFFFFFFu) return UnavailableError("semihosting: host time unavailable");
  return static_cast<int64_t>(seconds);
}

StatusOr<size_t> GetCommandLine(std::span<char> out) {
  if (out.size() < 2) return UnavailableError("semihosting: command line buffer too small");
  uintptr_t block[2] = {Addr(out.data()), out.size()};
  if (Call(Op::kGetCmdline, Addr(block)) != 0) {
    return UnavailableError("semihosting: no command line (or longer than the buffer)");
  }
  const size_t length = block[1] < out.size() ? block[1] : out.size() - 1;
  out[length] = '\0';
  return length;
}

}  // namespace pki::hw::board::semihost
