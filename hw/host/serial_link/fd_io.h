// fd_io.h — poll-with-deadline helpers shared by the host serial links.
#ifndef PKI_HW_HOST_FD_IO_H_
#define PKI_HW_HOST_FD_IO_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::hw::host::internal {

// How long a write may wait for a reader to drain the line before the link
// reports it UNAVAILABLE (a host that stopped reading must not wedge us).
inline constexpr int kWriteTimeoutMs = 5000;

// WaitReadable polls |fd| for input for up to |timeout_ms|. Returns true if
// readable (or hung up: the read then reports it), false on timeout;
// UNAVAILABLE if poll failed.
StatusOr<bool> WaitReadable(int fd, uint32_t timeout_ms);

// ReadSome reads what is available from readable |fd| into |out|. Returns the
// count (>0); UNAVAILABLE on end of file or error.
StatusOr<size_t> ReadSome(int fd, MutableByteSpan out);

// WriteFully writes all of |data| to |fd| (nonblocking or not), waiting at
// most kWriteTimeoutMs for room each time. UNAVAILABLE on error or timeout.
Status WriteFully(int fd, ByteSpan data);

}  // namespace pki::hw::host::internal

#endif  // PKI_HW_HOST_FD_IO_H_
