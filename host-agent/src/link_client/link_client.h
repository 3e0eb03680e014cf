// link_client.h — the host side of the appliance link: frames protobuf C++
// Requests exactly as docs/appliance-link.md lays them out, writes them to a
// unix socket, a loopback TCP socket (QEMU's serial chardev) or a serial
// device (pty), and reads the matching Response with
// a deadline. Host-only (uses the OS and protobuf's C++ runtime).
#ifndef PKI_HOST_AGENT_LINK_CLIENT_H_
#define PKI_HOST_AGENT_LINK_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "appliance/v1/link.pb.h"
#include "base/status_or.h"

namespace pki::host_agent {

// EncodeLinkFrame returns the frame (kind request) around |payload|.
std::vector<uint8_t> EncodeLinkFrame(uint32_t request_id, const std::string& payload);

class LinkClient final {
 public:
  // ConnectUnix connects to appliance-sim's socket at |path|; OpenSerial
  // opens a tty (e.g. the sim's pty) in raw mode. Return a client the caller
  // owns; UNAVAILABLE naming the path and the OS error.
  static StatusOr<std::unique_ptr<LinkClient>> ConnectUnix(const std::string& path);
  static StatusOr<std::unique_ptr<LinkClient>> OpenSerial(const std::string& path);
  // ConnectTcp connects to "HOST:PORT" (e.g. QEMU's `-serial tcp:...` UART,
  // an emulated board) with TCP_NODELAY; same framing and deadlines.
  // INVALID_ARGUMENT for a malformed address, UNAVAILABLE if it can't connect.
  static StatusOr<std::unique_ptr<LinkClient>> ConnectTcp(const std::string& host_port);
  ~LinkClient();
  LinkClient(const LinkClient&) = delete;
  LinkClient& operator=(const LinkClient&) = delete;

  // Call gives |req| the next request id (unless it has one), sends it and
  // waits up to |timeout_ms| for the Response with that id (id-0 error
  // responses met on the way are kept in UnattributedErrors(); answers to
  // older ids are stale and dropped). While none has come it resends the
  // same frame (same id, same bytes) 2 s after the first send, then 4 s,
  // then every 8 s: the appliance answers a resend from its response cache
  // (docs/appliance-link.md), so a lost request or answer costs seconds and
  // nothing is done twice. Returns DEADLINE_EXCEEDED if none came by
  // |timeout_ms|, UNAVAILABLE if the link failed. Before
  // it returns (either way) it overwrites the passphrases in its copy of
  // |req|, the encoded request and the frame buffer; callers wipe their own
  // copies.
  StatusOr<appliance::v1::Response> Call(appliance::v1::Request req, int timeout_ms = 10000);

  // WriteRaw sends |bytes| as they are (for tests of the framing).
  [[nodiscard]] Status WriteRaw(const std::vector<uint8_t>& bytes);
  // ReadFrame waits up to |timeout_ms| for the next response frame and
  // returns its raw bytes (*out_raw, if given) and the decoded Response.
  StatusOr<appliance::v1::Response> ReadFrame(int timeout_ms, std::vector<uint8_t>* out_raw = nullptr);

  const std::vector<appliance::v1::Response>& UnattributedErrors() const { return errors_; }
  uint32_t NextRequestId() const { return next_id_; }
  // Resends counts the frames Call sent again for want of an answer.
  uint64_t Resends() const { return resends_; }

 private:
  explicit LinkClient(int fd) : fd_(fd) {}
  // Fills buf_ until it holds |n| bytes or the deadline passes.
  [[nodiscard]] Status Need(size_t n, int64_t deadline_ms);

  int fd_;
  uint32_t next_id_ = 1;
  std::vector<uint8_t> buf_;
  std::vector<appliance::v1::Response> errors_;
  uint64_t resends_ = 0;
};

}  // namespace pki::host_agent

#endif  // PKI_HOST_AGENT_LINK_CLIENT_H_
