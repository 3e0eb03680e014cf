// keygen.h — key pairs generated inside the token.
//
// The private key is CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, not
// CKA_EXTRACTABLE, CKA_SIGN; the public key is a token object too; both
// halves share the label and a random 16-byte CKA_ID.
#ifndef PKI_SIGNER_TOOLS_SIGNERCTL_KEYGEN_H_
#define PKI_SIGNER_TOOLS_SIGNERCTL_KEYGEN_H_

#include <string>
#include <string_view>

#include "base/status_or.h"
#include "hsm_session.h"

namespace pki::signerctl {

enum class KeyType { kEcP256, kEcP384, kRsa2048, kRsa3072, kRsa4096, kEd25519 };

// ParseKeyType maps "ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096",
// "ed25519"; INVALID_ARGUMENT naming the value otherwise.
StatusOr<KeyType> ParseKeyType(std::string_view text);

struct GeneratedKey {
  std::string private_uri;  // full PKCS#11 URI of the private key
  std::string id;           // CKA_ID, raw
  std::string spki_der;
};

// GenerateKey makes a key pair labelled |label| on the (logged-in) token of
// |hsm| (borrowed). ALREADY_EXISTS if any object already has the label;
// UNAVAILABLE/INVALID_ARGUMENT from the token otherwise.
StatusOr<GeneratedKey> GenerateKey(HsmSession& hsm, const std::string& label, KeyType type);

}  // namespace pki::signerctl

#endif  // PKI_SIGNER_TOOLS_SIGNERCTL_KEYGEN_H_
