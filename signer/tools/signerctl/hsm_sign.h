// hsm_sign.h — one signature inside the token through the raw PKCS#11 API,
// in the API's form (DER ECDSA-Sig-Value, raw RSA/Ed25519).
#ifndef PKI_SIGNER_TOOLS_SIGNERCTL_HSM_SIGN_H_
#define PKI_SIGNER_TOOLS_SIGNERCTL_HSM_SIGN_H_

#include <string>

#include "base/status_or.h"
#include "hsm_session.h"
#include "signer/key_pool.h"

namespace pki::signerctl {

// SignInToken signs |input| (a digest, or the message for Ed25519) with
// private key |key| on |hsm| (borrowed). INVALID_ARGUMENT for a wrong
// digest length; the token's failure (with its CKR name) otherwise.
StatusOr<std::string> SignInToken(HsmSession& hsm, CK_OBJECT_HANDLE key, signer::SignAlgorithm alg,
                                  ByteSpan input);

// DefaultAlgorithm picks the algorithm signerctl signs with for |kind|:
// ECDSA with the curve's hash, RSA PKCS#1 v1.5 SHA-256, Ed25519.
signer::SignAlgorithm DefaultAlgorithm(signer::internal::KeyKind kind);

}  // namespace pki::signerctl

#endif  // PKI_SIGNER_TOOLS_SIGNERCTL_HSM_SIGN_H_
