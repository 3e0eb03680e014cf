// serial_link.h — the appliance's byte stream to the host (a UART on a board;
// a pty, a unix socket or an in-memory loopback elsewhere).
//
// The link carries bytes only: framing, CRCs and request ids live above it
// (appliance/src/link). Every read has a timeout, so the appliance never
// blocks forever on a silent or half-sent peer.
#ifndef PKI_HW_SERIAL_LINK_H_
#define PKI_HW_SERIAL_LINK_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::hw {

class SerialLink {
 public:
  virtual ~SerialLink() = default;

  // Read waits up to |timeout_ms| for at least one byte, then copies the
  // bytes already available (at most |out|.size()) into |out| and returns how
  // many it copied; 0 means the timeout passed with nothing to read. Returns
  // UNAVAILABLE if the peer went away or the line failed: bytes of a frame in
  // flight are then lost and the caller should reset its decoder; the next
  // Read waits for a peer again. |out| is borrowed for the call.
  [[nodiscard]] virtual StatusOr<size_t> Read(MutableByteSpan out, uint32_t timeout_ms) = 0;

  // WriteAll sends every byte of |data| before returning (retrying short
  // writes). Returns UNAVAILABLE if the peer went away or the line failed;
  // some prefix of |data| may then have been sent. |data| is borrowed.
  [[nodiscard]] virtual Status WriteAll(ByteSpan data) = 0;
};

}  // namespace pki::hw

#endif  // PKI_HW_SERIAL_LINK_H_
