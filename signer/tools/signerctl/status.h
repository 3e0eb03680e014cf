// status.h — `signerctl status`: fetch a running signerd's status page
// (GET /status on its loopback metrics listener, see
// signer/src/server/metrics_status.h) and print it as tables.
#ifndef PKI_SIGNER_TOOLS_SIGNERCTL_STATUS_H_
#define PKI_SIGNER_TOOLS_SIGNERCTL_STATUS_H_

#include <chrono>
#include <string>

#include "base/status_or.h"

namespace pki::signerctl {

// AdminAddressFromConfig returns server.metrics_listen of the signerd config
// at |path|. NOT_FOUND/INVALID_ARGUMENT if the file can't be read or parsed,
// FAILED_PRECONDITION if metrics_listen is unset (no status page) or has
// port 0 (the port is chosen at start: pass --admin).
StatusOr<std::string> AdminAddressFromConfig(const std::string& path);

// FetchStatus GETs /status from |address| ("127.0.0.1:PORT", "[::1]:PORT" or
// "localhost:PORT"; loopback only) within |timeout|. INVALID_ARGUMENT for a
// malformed or non-loopback address, UNAVAILABLE naming the address when
// nothing answers there, DATA_LOSS for an answer that is not a status page.
// Returns the JSON body.
StatusOr<std::string> FetchStatus(const std::string& address, std::chrono::milliseconds timeout);

// FormatStatus renders the JSON page |json| as text tables (server, audit,
// tokens, keys, client CRLs). DATA_LOSS if it does not parse as a
// signerd-status/1 page.
StatusOr<std::string> FormatStatus(const std::string& json);

}  // namespace pki::signerctl

#endif  // PKI_SIGNER_TOOLS_SIGNERCTL_STATUS_H_
