// verify.h — independent verification of pool signatures with OpenSSL.
#ifndef PKI_TESTS_SIGNER_PKCS11_VERIFY_H_
#define PKI_TESTS_SIGNER_PKCS11_VERIFY_H_

#include <string>

#include "signer/key_pool.h"

namespace pki::testing {

// Digest returns the hash |alg| signs over |message| (the message itself for
// Ed25519).
std::string Digest(signer::SignAlgorithm alg, const std::string& message);

// VerifySignature checks |signature| over |message| with the public key in
// |spki_der| using EVP_DigestVerify (hash inside OpenSSL, so the pool's
// digest-only signing is checked against the standard construction).
bool VerifySignature(const std::string& spki_der, signer::SignAlgorithm alg,
                     const std::string& message, const std::string& signature);

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNER_PKCS11_VERIFY_H_
