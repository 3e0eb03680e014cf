// pty_link.h — SerialLink over a pseudo-terminal, for appliance-sim: the host
// agent opens the slave path exactly as it would open /dev/ttyUSB0.
#ifndef PKI_HW_HOST_PTY_LINK_H_
#define PKI_HW_HOST_PTY_LINK_H_

#include <memory>
#include <string>

#include "base/status_or.h"
#include "hw/serial_link.h"

namespace pki::hw::host {

class PtyLink final : public SerialLink {
 public:
  // Create opens a new pty pair in raw mode (no echo, no line editing, 8 bit)
  // and returns a link the caller owns. UNAVAILABLE names the failing call if
  // the OS refuses a pty.
  static StatusOr<std::unique_ptr<PtyLink>> Create();
  ~PtyLink() override;
  PtyLink(const PtyLink&) = delete;
  PtyLink& operator=(const PtyLink&) = delete;

  // SlavePath is the path the host opens (e.g. /dev/pts/7). Never fails.
  const std::string& SlavePath() const { return slave_path_; }

  [[nodiscard]] StatusOr<size_t> Read(MutableByteSpan out, uint32_t timeout_ms) override;
  [[nodiscard]] Status WriteAll(ByteSpan data) override;

 private:
  PtyLink(int master_fd, int slave_fd, std::string slave_path)
      : master_fd_(master_fd), slave_fd_(slave_fd), slave_path_(std::move(slave_path)) {}

  int master_fd_;
  // Held open so the master never sees EIO between two host sessions.
  int slave_fd_;
  std::string slave_path_;
};

}  // namespace pki::hw::host

#endif  // PKI_HW_HOST_PTY_LINK_H_
