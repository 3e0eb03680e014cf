// names.h — the names a certificate may carry: parsing them out of a CSR or a
// certificate, checking them against a Profile and a client's NameAllowlist.
#ifndef PKI_SIGNER_ISSUANCE_NAMES_H_
#define PKI_SIGNER_ISSUANCE_NAMES_H_

#include <openssl/x509v3.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/status_or.h"
#include "signer/issuance.h"

namespace pki::signer::internal {

// CheckDnsName validates one DNS SAN (LDH labels, <= 253 chars, a wildcard
// only as the whole leftmost label when |allow_wildcard|) and that it lies
// under one of |suffixes|. INVALID_ARGUMENT for a malformed or disallowed
// wildcard name, PERMISSION_DENIED outside the allowlist.
Status CheckDnsName(std::string_view name, bool allow_wildcard,
                    const std::vector<std::string>& suffixes);

// CheckIpAddress checks a 4- or 16-byte address against CIDR |ranges|.
Status CheckIpAddress(ByteSpan address, const std::vector<std::string>& ranges);

// CheckSpiffeUri validates "spiffe://<trust domain>/<path>" and that the
// trust domain and a path prefix (segment boundary) match.
Status CheckSpiffeUri(std::string_view uri, const NameAllowlist& allowlist);

// CheckEmail validates "local@domain" and that the domain is allowed.
Status CheckEmail(std::string_view email, const std::vector<std::string>& domains);

// ParseCidr parses "a.b.c.d/n" or "v6/n" into network bytes and prefix bits.
Status ParseCidr(std::string_view cidr, std::string* out_network, int* out_bits);

// CheckNames checks every name in |names| (the subjectAltName, may be null)
// and the subject common name |cn| (null if absent) against |profile| and
// |allowlist|. Fills |out_text| with "dns:..", "ip:..", "uri:..", "email:..".
Status CheckNames(const Profile& profile, const NameAllowlist& allowlist,
                  const GENERAL_NAMES* names, const std::string* cn,
                  std::vector<std::string>* out_text);

// IpText formats a 4- or 16-byte address ("10.0.0.1", "2001:db8::1").
std::string IpText(ByteSpan address);

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_ISSUANCE_NAMES_H_
