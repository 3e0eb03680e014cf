// aead.h — AES-256-GCM sealing with associated data (custody shares, the
// sealed root key).
//
// Sealed format: nonce (12 bytes) || ciphertext || tag (16 bytes).
#ifndef PKI_APPLIANCE_CRYPTO_AEAD_H_
#define PKI_APPLIANCE_CRYPTO_AEAD_H_

#include <cstddef>

#include "base/bytes.h"
#include "base/secret.h"
#include "base/status_or.h"
#include "crypto/drbg.h"

namespace pki::appliance::crypto {

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadNonceSize = 12;
inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kAeadOverhead = kAeadNonceSize + kAeadTagSize;

using AeadKey = SecretArray<kAeadKeySize>;

// AeadSeal encrypts |plaintext| under |key| with a fresh random nonce from
// |drbg| and authenticates |aad|; writes nonce||ciphertext||tag to the front
// of |out| and returns its length (plaintext.size() + kAeadOverhead).
// INVALID_ARGUMENT if |key| is not 32 bytes; OUT_OF_RANGE if |out| is too
// small; UNAVAILABLE if the DRBG failed. Nothing usable is in |out| on error.
// Random 96-bit nonces are safe for the appliance's volume (far below 2^32
// seals per key).
StatusOr<size_t> AeadSeal(const AeadKey& key, Drbg& drbg, ByteSpan aad, ByteSpan plaintext,
                          MutableByteSpan out);

// AeadSealWithNonce is AeadSeal with a caller-chosen |nonce| (12 bytes); for
// known-answer tests and callers that keep a nonce counter. Never reuse a
// nonce under one key.
StatusOr<size_t> AeadSealWithNonce(const AeadKey& key, ByteSpan nonce, ByteSpan aad,
                                   ByteSpan plaintext, MutableByteSpan out);

// AeadOpen checks and decrypts |sealed| (nonce||ciphertext||tag) with |aad|;
// writes the plaintext to the front of |out_plaintext| and returns its
// length. PERMISSION_DENIED "authentication failed" if the tag does not match
// (wrong key, wrong aad or tampered data; |out_plaintext| is then wiped);
// INVALID_ARGUMENT if |sealed| is shorter than kAeadOverhead or |key| is not
// 32 bytes; OUT_OF_RANGE if |out_plaintext| is too small.
StatusOr<size_t> AeadOpen(const AeadKey& key, ByteSpan aad, ByteSpan sealed,
                          MutableByteSpan out_plaintext);

}  // namespace pki::appliance::crypto

#endif  // PKI_APPLIANCE_CRYPTO_AEAD_H_
