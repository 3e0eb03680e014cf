#include "fd_io.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace pki::hw::host::internal {

StatusOr<bool> WaitReadable(int fd, uint32_t timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  int timeout = timeout_ms > 0x7fffffffu ? 0x7fffffff : static_cast<int>(timeout_ms);
  for (;;) {
    int r = ::poll(&p, 1, timeout);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return UnavailableError("poll failed on the serial link");
    return r > 0;
  }
}

StatusOr<size_t> ReadSome(int fd, MutableByteSpan out) {
  for (;;) {
    ssize_t n = ::read(fd, out.data(), out.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return static_cast<size_t>(0);
    if (n <= 0) return UnavailableError("serial link peer disconnected");
    return static_cast<size_t>(n);
  }
}

Status WriteFully(int fd, ByteSpan data) {
  struct stat st {};
  bool is_socket = ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = is_socket ? ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL)
                          : ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      int r = ::poll(&p, 1, kWriteTimeoutMs);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return UnavailableError("serial link write timed out (peer not reading)");
      continue;
    }
    if (n <= 0) return UnavailableError("serial link write failed (peer gone)");
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

}  // namespace pki::hw::host::internal
