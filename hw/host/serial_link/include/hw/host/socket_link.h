// socket_link.h — SerialLink over a unix stream socket, for appliance-sim and
// its integration tests. It listens on a path and serves one client at a
// time; further clients wait in the listen backlog until the current one
// disconnects.
#ifndef PKI_HW_HOST_SOCKET_LINK_H_
#define PKI_HW_HOST_SOCKET_LINK_H_

#include <memory>
#include <string>

#include "base/status_or.h"
#include "hw/serial_link.h"

namespace pki::hw::host {

class SocketLink final : public SerialLink {
 public:
  // Create binds and listens on |path| (mode 0600) and returns a link the
  // caller owns. INVALID_ARGUMENT if |path| is too long for a unix socket;
  // ALREADY_EXISTS if something already exists at |path|; UNAVAILABLE names
  // the failing call otherwise. The socket file is removed on destruction.
  static StatusOr<std::unique_ptr<SocketLink>> Create(const std::string& path);
  ~SocketLink() override;
  SocketLink(const SocketLink&) = delete;
  SocketLink& operator=(const SocketLink&) = delete;

  const std::string& Path() const { return path_; }

  // Read accepts a client first if none is connected (within the same
  // timeout). When the client hangs up it returns UNAVAILABLE once and the
  // next Read waits for a new client.
  [[nodiscard]] StatusOr<size_t> Read(MutableByteSpan out, uint32_t timeout_ms) override;
  // WriteAll returns UNAVAILABLE if no client is connected or it hung up.
  [[nodiscard]] Status WriteAll(ByteSpan data) override;

 private:
  SocketLink(int listen_fd, std::string path) : listen_fd_(listen_fd), path_(std::move(path)) {}
  void DropClient();

  int listen_fd_;
  int client_fd_ = -1;
  std::string path_;
};

}  // namespace pki::hw::host

#endif  // PKI_HW_HOST_SOCKET_LINK_H_
