// chain.h — storing a key's certificate chain in the token.
#ifndef PKI_SIGNER_TOOLS_SIGNERCTL_CHAIN_H_
#define PKI_SIGNER_TOOLS_SIGNERCTL_CHAIN_H_

#include <string>
#include <vector>

#include "base/status_or.h"
#include "hsm_session.h"

namespace pki::signerctl {

// AttachChain stores the certificates of |pem| (the key's certificate first)
// as CKO_CERTIFICATE token objects: the first with the key's CKA_ID and label
// |label|, the others labelled "<label>.chain<N>" with CKA_ID = key id || N.
// Returns the URIs written. FAILED_PRECONDITION if the first certificate is
// for another public key, ALREADY_EXISTS if the key already has one,
// INVALID_ARGUMENT if |pem| holds no certificate. Writes nothing on error
// found before the first write.
StatusOr<std::vector<std::string>> AttachChain(HsmSession& hsm, const std::string& label,
                                               const std::string& pem);

}  // namespace pki::signerctl

#endif  // PKI_SIGNER_TOOLS_SIGNERCTL_CHAIN_H_
