// hmac.h — HMAC-SHA256 (journal MACs, key confirmation).
#ifndef PKI_APPLIANCE_CRYPTO_HMAC_H_
#define PKI_APPLIANCE_CRYPTO_HMAC_H_

#include <span>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/digest.h"

namespace pki::appliance::crypto {

inline constexpr size_t kHmacSha256Size = 32;

// HmacSha256 writes HMAC-SHA256(|key|, |data|) to |out|. |key| is secret:
// pass SecretArray::View(SecretAccess::Grant()); it is borrowed and not
// copied anywhere that outlives the call (mbedTLS's pad copies are wiped).
// INVALID_ARGUMENT if |key| is empty; INTERNAL on an mbedTLS failure.
[[nodiscard]] Status HmacSha256(ByteSpan key, ByteSpan data, std::span<uint8_t, kHmacSha256Size> out);

// HmacSha256Parts is HmacSha256 over the concatenation of |parts|.
[[nodiscard]] Status HmacSha256Parts(ByteSpan key, std::span<const ByteSpan> parts,
                                     std::span<uint8_t, kHmacSha256Size> out);

// VerifyHmacSha256 recomputes the MAC of |data| and compares it to |tag| in
// constant time. PERMISSION_DENIED "HMAC mismatch" if they differ (or |tag| is
// not 32 bytes); INVALID_ARGUMENT if |key| is empty.
[[nodiscard]] Status VerifyHmacSha256(ByteSpan key, ByteSpan data, ByteSpan tag);

}  // namespace pki::appliance::crypto

#endif  // PKI_APPLIANCE_CRYPTO_HMAC_H_
