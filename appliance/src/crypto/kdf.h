// kdf.h — passphrase KDF (PBKDF2-HMAC-SHA256) and HKDF-SHA256.
//
// The PBKDF2 iteration count is chosen by the caller and must be recorded
// next to the salt (it is part of the sealed record). Production builds
// (PKI_PRODUCTION_BUILD=1) refuse fewer than kMinProductionPbkdf2Iterations;
// test builds accept any count >= 1 so tests stay fast (DESIGN invariant 9).
#ifndef PKI_APPLIANCE_CRYPTO_KDF_H_
#define PKI_APPLIANCE_CRYPTO_KDF_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status.h"

namespace pki::appliance::crypto {

inline constexpr uint32_t kMinProductionPbkdf2Iterations = 600000;
inline constexpr size_t kMinPbkdf2SaltSize = 16;
inline constexpr size_t kMaxKdfOutputSize = 64;

// MinPbkdf2Iterations returns the smallest count this build accepts
// (600000 in production builds, 1 in test builds).
uint32_t MinPbkdf2Iterations();

// Pbkdf2HmacSha256 derives |out|.size() bytes (1..64) from |passphrase|
// (secret, borrowed) and |salt|. FAILED_PRECONDITION if |iterations| is below
// MinPbkdf2Iterations(); INVALID_ARGUMENT if the passphrase is empty, the salt
// is shorter than kMinPbkdf2SaltSize (production builds; test builds accept
// any non-empty salt, for RFC test vectors) or |out| is empty or too long.
// |out| is wiped on failure.
[[nodiscard]] Status Pbkdf2HmacSha256(ByteSpan passphrase, ByteSpan salt, uint32_t iterations,
                                      MutableByteSpan out);

// HkdfSha256 derives |out|.size() bytes (1..255*32) from |ikm| (secret,
// borrowed), |salt| (may be empty) and |info| (context label). INVALID_ARGUMENT
// if |ikm| or |out| is empty or |out| is too long; |out| is wiped on failure.
[[nodiscard]] Status HkdfSha256(ByteSpan ikm, ByteSpan salt, ByteSpan info, MutableByteSpan out);

}  // namespace pki::appliance::crypto

#endif  // PKI_APPLIANCE_CRYPTO_KDF_H_
