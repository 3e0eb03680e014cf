// shamir.h — Shamir secret sharing over GF(2^8), byte by byte.
//
// A secret of kSecretSize bytes is split into N shares with threshold M
// (2 <= M <= N <= kMaxShares): for every secret byte s, a polynomial
// f(x) = s + c1 x + ... + c(M-1) x^(M-1) with random coefficients, and share
// i (index x = i, 1..N) holds f(i) for every byte. Any M shares give the
// secret back by Lagrange interpolation at 0; fewer give no information.
// Constant time in the secret and share values (the indices are public).
// No heap: all buffers are the caller's or inline SecretArrays.
#ifndef PKI_APPLIANCE_CUSTODY_SHAMIR_H_
#define PKI_APPLIANCE_CUSTODY_SHAMIR_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/secret.h"
#include "base/status.h"

namespace pki::appliance::custody {

inline constexpr size_t kSecretSize = 32;  // the KEK
inline constexpr size_t kMaxShares = 16;
inline constexpr size_t kMinThreshold = 2;

using ShareValue = SecretArray<kSecretSize>;

// ShamirShare is one share: its public index (1..255) and its secret value.
struct ShamirShare {
  uint8_t index = 0;
  ShareValue value;
};

// CheckSplitParameters returns OK if 2 <= |threshold| <= |count| <= kMaxShares,
// else INVALID_ARGUMENT saying which bound failed.
Status CheckSplitParameters(size_t threshold, size_t count);

// CoefficientBytes returns how many random bytes ShamirSplit needs.
constexpr size_t CoefficientBytes(size_t threshold) {
  return (threshold - 1) * kSecretSize;
}

// ShamirSplit fills |out_shares| (its size is N) with shares 1..N of
// |secret| (kSecretSize bytes) at threshold |threshold|, using |random|
// (CoefficientBytes(threshold) bytes from the DRBG; the caller wipes it).
// INVALID_ARGUMENT for bad sizes or parameters; |out_shares| is then cleared.
Status ShamirSplit(std::span<ShamirShare> out_shares, const ShareValue& secret,
                   size_t threshold, ByteSpan random);

// ShamirCombine writes the secret interpolated from |shares| (exactly the M
// shares to use; indices distinct and non-zero) into |out_secret|.
// INVALID_ARGUMENT if fewer than kMinThreshold or more than kMaxShares shares,
// an index is zero or repeated, or a value is not kSecretSize bytes;
// |out_secret| is then cleared. Note that interpolating M-1 shares of an
// M-threshold split "succeeds" with a wrong value: the caller checks the
// result against the split's commitment.
Status ShamirCombine(ShareValue* out_secret, std::span<const ShamirShare* const> shares);

}  // namespace pki::appliance::custody

#endif  // PKI_APPLIANCE_CUSTODY_SHAMIR_H_
