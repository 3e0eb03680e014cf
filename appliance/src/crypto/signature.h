// signature.h — sign and verify with explicit output capacity.
//
// mbedTLS 2.28's mbedtls_pk_sign takes no output capacity (it may write up to
// MBEDTLS_PK_SIGNATURE_MAX_SIZE bytes); Sign signs into a bounded internal
// buffer and copies out only if the caller's span is large enough.
// ECDSA signatures are DER Ecdsa-Sig-Value with RFC 6979 deterministic nonces
// (blinded with the DRBG); RSA signatures are PKCS#1 v1.5.
#ifndef PKI_APPLIANCE_CRYPTO_SIGNATURE_H_
#define PKI_APPLIANCE_CRYPTO_SIGNATURE_H_

#include <cstddef>

#include "base/bytes.h"
#include "base/status.h"
#include "base/status_or.h"
#include "crypto/digest.h"
#include "crypto/drbg.h"
#include "crypto/keypair.h"

namespace pki::appliance::crypto {

inline constexpr size_t kMaxSignatureSize = 512;  // RSA-4096; ECDSA P-384 needs at most 104

// DefaultHashFor returns the hash the appliance pairs with |alg|: SHA-384 for
// EC-P384 and RSA-4096, SHA-256 otherwise.
HashAlg DefaultHashFor(KeyAlgorithm alg);

// Sign hashes |message| with |hash| and signs the digest with |key| (borrowed;
// RSA blinding state changes), using |drbg| for blinding. Writes the signature
// to the front of |out_signature| and returns its length. OUT_OF_RANGE
// (nothing written) if |out_signature| is too small; UNAVAILABLE if the DRBG
// failed; INTERNAL on another mbedTLS failure.
StatusOr<size_t> Sign(KeyPair& key, Drbg& drbg, HashAlg hash, ByteSpan message,
                      MutableByteSpan out_signature);

// SignDigest is Sign over a precomputed |digest| of DigestSize(hash) bytes;
// INVALID_ARGUMENT if its length is wrong.
StatusOr<size_t> SignDigest(KeyPair& key, Drbg& drbg, HashAlg hash, ByteSpan digest,
                            MutableByteSpan out_signature);

// Verify checks |signature| over |message| with |key|. OK if it verifies;
// PERMISSION_DENIED "signature does not verify" otherwise (including a
// malformed signature).
[[nodiscard]] Status Verify(const PublicKey& key, HashAlg hash, ByteSpan message, ByteSpan signature);

// VerifyWithKeyPair is Verify with the public half of |key|.
[[nodiscard]] Status VerifyWithKeyPair(const KeyPair& key, HashAlg hash, ByteSpan message,
                                       ByteSpan signature);

namespace internal {
// VerifyNative verifies with any parsed mbedTLS key (borrowed).
[[nodiscard]] Status VerifyNative(mbedtls_pk_context& pk, HashAlg hash, ByteSpan message,
                                  ByteSpan signature);
}  // namespace internal

}  // namespace pki::appliance::crypto

#endif  // PKI_APPLIANCE_CRYPTO_SIGNATURE_H_
