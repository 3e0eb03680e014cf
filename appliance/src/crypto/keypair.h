// keypair.h — asymmetric keys on mbedTLS: generate (ECDSA P-384 default,
// P-256, RSA-3072/4096 with e=65537), export SPKI DER, serialize the private
// key to a zeroizing SecretArray for sealing, parse it back.
//
// KeyPair and PublicKey are movable, not copyable; their mbedTLS contexts live
// in the static pool (crypto/heap.h) and are freed (and wiped by mbedTLS) when
// the object is destroyed.
#ifndef PKI_APPLIANCE_CRYPTO_KEYPAIR_H_
#define PKI_APPLIANCE_CRYPTO_KEYPAIR_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/secret.h"
#include "base/status_or.h"
#include "crypto/drbg.h"
#include "mbedtls/pk.h"

namespace pki::appliance::crypto {

// Key algorithms the appliance knows. kRsa2048 is only ever accepted from a
// CSR (if a profile allows it), never generated.
enum class KeyAlgorithm : uint8_t {
  kEcP256 = 1,
  kEcP384 = 2,
  kRsa2048 = 3,
  kRsa3072 = 4,
  kRsa4096 = 5,
};

// KeyAlgorithmName returns "EC-P256", "EC-P384", "RSA-2048", "RSA-3072" or "RSA-4096".
const char* KeyAlgorithmName(KeyAlgorithm alg);
// IsRsa is true for the RSA algorithms.
bool IsRsa(KeyAlgorithm alg);

inline constexpr size_t kMaxSpkiDer = 600;          // RSA-4096 SPKI is 550 bytes
inline constexpr size_t kMaxPrivateKeyDer = 2400;   // RSA-4096 RSAPrivateKey is ~2350 bytes
using PrivateKeyDer = SecretArray<kMaxPrivateKeyDer>;

class PublicKey final {
 public:
  // FromSpki parses a DER SubjectPublicKeyInfo (borrowed for the call).
  // INVALID_ARGUMENT naming the problem if it does not parse, is not RSA or EC,
  // is an EC key not on P-256/P-384 or whose point is not on the curve, or is
  // RSA of another size than 2048/3072/4096. Returns a new key the caller owns.
  static StatusOr<PublicKey> FromSpki(ByteSpan spki_der);

  PublicKey(PublicKey&& other) noexcept;
  PublicKey& operator=(PublicKey&& other) noexcept;
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;
  ~PublicKey();

  KeyAlgorithm algorithm() const { return alg_; }
  // WriteSpki writes the DER SubjectPublicKeyInfo to the front of |out| and
  // returns its length; OUT_OF_RANGE if |out| is too small.
  StatusOr<size_t> WriteSpki(MutableByteSpan out) const;

  // native borrows the mbedTLS context (for crypto/ and ca/ internals).
  mbedtls_pk_context* native() const { return &pk_; }

 private:
  PublicKey();
  mutable mbedtls_pk_context pk_;
  KeyAlgorithm alg_ = KeyAlgorithm::kEcP384;
  friend class KeyPair;
};

class KeyPair final {
 public:
  // Generate makes a new key of |alg| with randomness from |drbg| (borrowed
  // for the call). INVALID_ARGUMENT for kRsa2048 (not generated);
  // UNAVAILABLE if the DRBG failed; RESOURCE_EXHAUSTED if the pool ran out.
  // Returns a new key the caller owns.
  static StatusOr<KeyPair> Generate(KeyAlgorithm alg, Drbg& drbg);

  // FromPrivateDer parses a key written by SerializePrivate (DER
  // ECPrivateKey with named curve or RSAPrivateKey; borrowed for the call) and
  // checks it (RSA: the CRT values are consistent; EC: the public point
  // matches the private scalar). INVALID_ARGUMENT if it does not parse or is
  // not one of the generated algorithms. Returns a new key the caller owns.
  static StatusOr<KeyPair> FromPrivateDer(ByteSpan der);

  KeyPair(KeyPair&& other) noexcept;
  KeyPair& operator=(KeyPair&& other) noexcept;
  KeyPair(const KeyPair&) = delete;
  KeyPair& operator=(const KeyPair&) = delete;
  ~KeyPair();

  KeyAlgorithm algorithm() const { return alg_; }

  // SerializePrivate writes the private key as DER into |out| (replacing its
  // contents), for sealing with AeadSeal. INTERNAL on an mbedTLS failure
  // (|out| is then cleared).
  [[nodiscard]] Status SerializePrivate(PrivateKeyDer& out) const;

  // WriteSpki writes the DER SubjectPublicKeyInfo to the front of |out| and
  // returns its length; OUT_OF_RANGE if |out| is too small.
  StatusOr<size_t> WriteSpki(MutableByteSpan out) const;

  // Public returns a new PublicKey (caller owns) holding this key's public half.
  StatusOr<PublicKey> Public() const;

  // native borrows the mbedTLS context (for crypto/ and ca/ internals).
  mbedtls_pk_context* native() const { return &pk_; }

 private:
  KeyPair();
  mutable mbedtls_pk_context pk_;
  KeyAlgorithm alg_ = KeyAlgorithm::kEcP384;
};

namespace internal {
// ClassifyKey finds the KeyAlgorithm of a parsed mbedTLS key and checks it
// (RSA size and e=65537 not checked here; EC curve and point on curve are).
// INVALID_ARGUMENT naming the problem.
StatusOr<KeyAlgorithm> ClassifyKey(const mbedtls_pk_context& pk);
}  // namespace internal

}  // namespace pki::appliance::crypto

#endif  // PKI_APPLIANCE_CRYPTO_KEYPAIR_H_
