// csr.h — PKCS#10 certification requests signed inside the token.
#ifndef PKI_SIGNER_TOOLS_SIGNERCTL_CSR_H_
#define PKI_SIGNER_TOOLS_SIGNERCTL_CSR_H_

#include <string>
#include <vector>

#include "base/status_or.h"
#include "hsm_session.h"

namespace pki::signerctl {

// MakeCsr builds a CSR for the key labelled |label| on |hsm| (borrowed, logged
// in) with subject |subject| ("/CN=x/O=y") and, if |sans| is not empty, a
// requested subjectAltName extension with one name per entry "TYPE:VALUE"
// (TYPE DNS, IP, URI or email, any case; in the given order), signs it in
// the token (ECDSA with the curve's hash, RSA PKCS#1 v1.5 SHA-256, or
// Ed25519) and returns it as PEM. INVALID_ARGUMENT for a malformed subject
// or SAN (the message names it), NOT_FOUND for a missing key; nothing is
// signed then.
StatusOr<std::string> MakeCsr(HsmSession& hsm, const std::string& label, const std::string& subject,
                              const std::vector<std::string>& sans = {});

}  // namespace pki::signerctl

#endif  // PKI_SIGNER_TOOLS_SIGNERCTL_CSR_H_
