// public_key.h — SubjectPublicKeyInfo from PKCS#11 public attributes, and the
// conversions signatures need (raw ECDSA r||s to DER).
#ifndef PKI_SIGNER_SRC_PKCS11_PUBLIC_KEY_H_
#define PKI_SIGNER_SRC_PKCS11_PUBLIC_KEY_H_

#include <string>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::signer::internal {

enum class KeyKind { kEcP256, kEcP384, kRsa, kEd25519 };

struct PublicKey {
  KeyKind kind = KeyKind::kEcP256;
  uint32_t bits = 0;      // RSA modulus bits; curve size for EC/EdDSA
  std::string spki_der;   // SubjectPublicKeyInfo
};

// EcPublicKey builds the key from CKA_EC_PARAMS (DER OID of the curve) and
// CKA_EC_POINT (DER OCTET STRING of the point, or the raw point). Supports
// P-256 and P-384; INVALID_ARGUMENT names an unsupported curve or bad point.
StatusOr<PublicKey> EcPublicKey(ByteSpan ec_params, ByteSpan ec_point);

// EdPublicKey builds an Ed25519 key from CKA_EC_PARAMS (OID 1.3.101.112, the
// GnuPG OID, or PrintableString "edwards25519") and CKA_EC_POINT.
StatusOr<PublicKey> EdPublicKey(ByteSpan ec_params, ByteSpan ec_point);

// RsaPublicKey builds the key from CKA_MODULUS and CKA_PUBLIC_EXPONENT.
StatusOr<PublicKey> RsaPublicKey(ByteSpan modulus, ByteSpan exponent);

// EcdsaRawToDer converts a PKCS#11 ECDSA signature (r||s, equal halves) to a
// DER ECDSA-Sig-Value. INVALID_ARGUMENT on an odd or empty input.
StatusOr<std::string> EcdsaRawToDer(ByteSpan raw);

// SameKey is true if the two DER SPKIs encode the same public key.
bool SameKey(const std::string& spki_a, const std::string& spki_b);

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_SRC_PKCS11_PUBLIC_KEY_H_
