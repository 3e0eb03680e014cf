// http_get.h — one plain HTTP/1.0 GET to a loopback port (signerd's metrics
// and status responder).
#ifndef PKI_TESTS_SIGNERD_HARNESS_HTTP_GET_H_
#define PKI_TESTS_SIGNERD_HARNESS_HTTP_GET_H_

#include <string>

namespace pki::testing {

// HttpGet fetches |path| from 127.0.0.1 at the port of |address|
// ("HOST:PORT"); returns the whole response (status line, headers, body), or
// "" if nothing answered.
std::string HttpGet(const std::string& address, const std::string& path);

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNERD_HARNESS_HTTP_GET_H_
