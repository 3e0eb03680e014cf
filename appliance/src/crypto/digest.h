// digest.h — SHA-256/384/512, one-shot and streaming.
#ifndef PKI_APPLIANCE_CRYPTO_DIGEST_H_
#define PKI_APPLIANCE_CRYPTO_DIGEST_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/status.h"
#include "base/status_or.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"

namespace pki::appliance::crypto {

enum class HashAlg : uint8_t { kSha256 = 1, kSha384 = 2, kSha512 = 3 };

inline constexpr size_t kSha256Size = 32;
inline constexpr size_t kSha384Size = 48;
inline constexpr size_t kSha512Size = 64;
inline constexpr size_t kMaxDigestSize = 64;

using Sha256Digest = std::array<uint8_t, kSha256Size>;

// DigestSize returns the output length of |alg| (32, 48 or 64).
size_t DigestSize(HashAlg alg);

// HashAlgName returns "SHA-256", "SHA-384" or "SHA-512".
const char* HashAlgName(HashAlg alg);

// Sha256 returns SHA-256(|data|). Cannot fail (software SHA-256).
Sha256Digest Sha256(ByteSpan data);

// Sha256Parts returns SHA-256 of the concatenation of |parts| (e.g. a journal
// hash chain: previous hash || record) without copying them together.
Sha256Digest Sha256Parts(std::span<const ByteSpan> parts);

// Digest writes |alg|(|data|) to the front of |out| and returns its length;
// OUT_OF_RANGE (nothing written) if |out| is shorter than DigestSize(alg).
StatusOr<size_t> Digest(HashAlg alg, ByteSpan data, MutableByteSpan out);

// Hasher computes a digest over data given in pieces. Movable, not copyable;
// holds no secret (wiped anyway when destroyed).
class Hasher final {
 public:
  explicit Hasher(HashAlg alg);
  ~Hasher();
  Hasher(Hasher&& other) noexcept;
  Hasher& operator=(Hasher&& other) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  HashAlg alg() const { return alg_; }
  // Update adds |data|. Borrows |data| for the call.
  void Update(ByteSpan data);
  // Finish writes the digest to the front of |out| and returns its length;
  // OUT_OF_RANGE (nothing written, hasher unchanged) if |out| is too short.
  // After success the hasher starts over, empty.
  StatusOr<size_t> Finish(MutableByteSpan out);

 private:
  void Start();
  HashAlg alg_;
  mbedtls_sha256_context sha256_;
  mbedtls_sha512_context sha512_;
};

}  // namespace pki::appliance::crypto

#endif  // PKI_APPLIANCE_CRYPTO_DIGEST_H_
