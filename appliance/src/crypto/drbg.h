// drbg.h — the appliance's CSPRNG: NIST SP 800-90A CTR_DRBG (AES-256) seeded
// only from the HAL's hw::EntropySource through mbedTLS's entropy accumulator.
//
// A Drbg is neither copyable nor movable (mbedTLS keeps pointers into it), so
// Create constructs it in place in a caller-owned std::optional<Drbg>; no
// heap is used.
#ifndef PKI_APPLIANCE_CRYPTO_DRBG_H_
#define PKI_APPLIANCE_CRYPTO_DRBG_H_

#include <cstddef>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"
#include "hw/entropy.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"

namespace pki::appliance::crypto {

class Drbg final {
  class Token {
    friend class Drbg;
    Token() = default;
  };

 public:
  // Create seeds a new DRBG from |source| (borrowed: it must outlive the
  // Drbg, which reads it again at every reseed) with |personalization| (e.g.
  // a device id and purpose label; not secret, at most 128 bytes) and
  // constructs it in |out|, replacing what was there. Returns UNAVAILABLE if
  // the source failed, FAILED_PRECONDITION if this is a production build and
  // |source| is test-only, INVALID_ARGUMENT if |personalization| is too long.
  // On failure |out| is empty.
  [[nodiscard]] static Status Create(hw::EntropySource& source, ByteSpan personalization,
                                     std::optional<Drbg>& out);

  // Generate fills |out| with random bytes (any length; requests are split
  // into mbedTLS's 1024-byte maximum). UNAVAILABLE if a reseed's entropy
  // failed; |out| is then wiped.
  [[nodiscard]] Status Generate(MutableByteSpan out);

  // Reseed mixes fresh entropy from the source and |additional| (not secret,
  // may be empty). UNAVAILABLE if the source failed.
  [[nodiscard]] Status Reseed(ByteSpan additional);

  // Rng is the mbedTLS f_rng adapter; |p_rng| must be a Drbg*. Returns 0 or
  // an mbedTLS CTR_DRBG error code.
  static int Rng(void* p_rng, unsigned char* out, size_t length);

  explicit Drbg(Token);  // use Create
  ~Drbg();               // wipes the DRBG state
  Drbg(const Drbg&) = delete;
  Drbg& operator=(const Drbg&) = delete;

 private:
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context ctr_drbg_;
};

}  // namespace pki::appliance::crypto

#endif  // PKI_APPLIANCE_CRYPTO_DRBG_H_
