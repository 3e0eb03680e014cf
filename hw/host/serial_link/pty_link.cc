#include "hw/host/pty_link.h"

#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "fd_io.h"

namespace pki::hw::host {

StatusOr<std::unique_ptr<PtyLink>> PtyLink::Create() {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0) return UnavailableError("posix_openpt failed");
  if (::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    ::close(master);
    return UnavailableError("grantpt/unlockpt failed");
  }
  char name[128];
  if (::ptsname_r(master, name, sizeof(name)) != 0) {
    ::close(master);
    return UnavailableError("ptsname_r failed");
  }
  int slave = ::open(name, O_RDWR | O_NOCTTY);
  if (slave < 0) {
    ::close(master);
    return UnavailableError("opening the pty slave failed");
  }
  termios tio{};
  if (::tcgetattr(slave, &tio) != 0) {
    ::close(slave);
    ::close(master);
    return UnavailableError("tcgetattr failed on the pty");
  }
  ::cfmakeraw(&tio);
  if (::tcsetattr(slave, TCSANOW, &tio) != 0) {
    ::close(slave);
    ::close(master);
    return UnavailableError("tcsetattr failed on the pty");
  }
  int flags = ::fcntl(master, F_GETFL);
  if (flags < 0 || ::fcntl(master, F_SETFL, flags | O_NONBLOCK) != 0) {
    ::close(slave);
    ::close(master);
    return UnavailableError("fcntl O_NONBLOCK failed on the pty");
  }
  return std::unique_ptr<PtyLink>(new PtyLink(master, slave, name));
}

PtyLink::~PtyLink() {
  ::close(master_fd_);
  ::close(slave_fd_);
}

StatusOr<size_t> PtyLink::Read(MutableByteSpan out, uint32_t timeout_ms) {
  if (out.empty()) return static_cast<size_t>(0);
  PKI_ASSIGN_OR_RETURN(bool readable, internal::WaitReadable(master_fd_, timeout_ms));
  if (!readable) return static_cast<size_t>(0);
  return internal::ReadSome(master_fd_, out);
}

Status PtyLink::WriteAll(ByteSpan data) { return internal::WriteFully(master_fd_, data); }

}  // namespace pki::hw::host
