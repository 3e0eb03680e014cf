// crl_freshness.h — `signerctl config check`'s warning about client CRLs
// that are past their nextUpdate or close to it (signerd then refuses every
// client of that CA in the TLS handshake, fail-closed).
#ifndef PKI_SIGNER_TOOLS_SIGNERCTL_CRL_FRESHNESS_H_
#define PKI_SIGNER_TOOLS_SIGNERCTL_CRL_FRESHNESS_H_

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

namespace pki::signerctl {

// How close to nextUpdate a CRL draws a warning: half a day, so a daily CRL
// with a day of validity is quiet right after its renewal.
inline constexpr std::chrono::hours kCrlWarnAhead{12};

// CrlFreshnessWarnings reads each CRL file (PEM, possibly several, or DER)
// and returns one line per CRL that is past its nextUpdate at |now|
// ("<file>: client CRL of <issuer> is past its nextUpdate <time>: signerd
// refuses every client of that CA until a fresh CRL is loaded (SIGHUP)") or
// within |ahead| of it. A file that can't be read or parsed gets a line too
// (config check validates only that the file exists). Never fails.
std::vector<std::string> CrlFreshnessWarnings(const std::vector<std::string>& crl_files, std::time_t now,
                                              std::chrono::seconds ahead = kCrlWarnAhead);

}  // namespace pki::signerctl

#endif  // PKI_SIGNER_TOOLS_SIGNERCTL_CRL_FRESHNESS_H_
