#include "hw/host/socket_link.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fd_io.h"

namespace pki::hw::host {
namespace {

uint64_t NowMs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

}  // namespace

StatusOr<std::unique_ptr<SocketLink>> SocketLink::Create(const std::string& path) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgumentError("socket path empty or longer than 107 bytes");
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    return AlreadyExistsError("socket path already exists; remove it or pick another");
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return UnavailableError("socket(AF_UNIX) failed");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  mode_t old_mask = ::umask(0177);
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::umask(old_mask);
  if (rc != 0) {
    ::close(fd);
    return UnavailableError("bind failed on the socket path");
  }
  if (::listen(fd, 4) != 0) {
    ::close(fd);
    ::unlink(path.c_str());
    return UnavailableError("listen failed on the socket path");
  }
  return std::unique_ptr<SocketLink>(new SocketLink(fd, path));
}

SocketLink::~SocketLink() {
  DropClient();
  ::close(listen_fd_);
  ::unlink(path_.c_str());
}

void SocketLink::DropClient() {
  if (client_fd_ >= 0) ::close(client_fd_);
  client_fd_ = -1;
}

StatusOr<size_t> SocketLink::Read(MutableByteSpan out, uint32_t timeout_ms) {
  const uint64_t deadline = NowMs() + timeout_ms;
  if (client_fd_ < 0) {
    PKI_ASSIGN_OR_RETURN(bool pending, internal::WaitReadable(listen_fd_, timeout_ms));
    if (!pending) return static_cast<size_t>(0);
    int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0) return static_cast<size_t>(0);  // the client gave up already
    client_fd_ = c;
  }
  if (out.empty()) return static_cast<size_t>(0);
  uint64_t now = NowMs();
  uint32_t left = now >= deadline ? 0 : static_cast<uint32_t>(deadline - now);
  PKI_ASSIGN_OR_RETURN(bool readable, internal::WaitReadable(client_fd_, left));
  if (!readable) return static_cast<size_t>(0);
  StatusOr<size_t> n = internal::ReadSome(client_fd_, out);
  if (!n.ok()) DropClient();
  return n;
}

Status SocketLink::WriteAll(ByteSpan data) {
  if (client_fd_ < 0) return UnavailableError("no client connected to the socket");
  Status s = internal::WriteFully(client_fd_, data);
  if (!s.ok()) DropClient();
  return s;
}

}  // namespace pki::hw::host
