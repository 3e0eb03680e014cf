// list.h — what signerctl list prints: tokens and their objects, by URI.
#ifndef PKI_SIGNER_TOOLS_SIGNERCTL_LIST_H_
#define PKI_SIGNER_TOOLS_SIGNERCTL_LIST_H_

#include <string>

#include "base/status_or.h"

namespace pki::signerctl {

// ListTokens returns a text listing of every initialized token of the module
// at |module_path| and of its keys and certificates with full PKCS#11 URIs.
// With |pin_file|, logs in to each token whose label is |token| (or to every
// token if |token| is empty) so private keys show. Errors: module load
// failures; a refused PIN is PERMISSION_DENIED.
StatusOr<std::string> ListTokens(const std::string& module_path, const std::string& token,
                                 const std::string& pin_file);

}  // namespace pki::signerctl

#endif  // PKI_SIGNER_TOOLS_SIGNERCTL_LIST_H_
