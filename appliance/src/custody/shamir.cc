#include "custody/shamir.h"

#include "custody/gf256.h"

namespace pki::appliance::custody {

Status CheckSplitParameters(size_t threshold, size_t count) {
  if (threshold < kMinThreshold) {
    return InvalidArgumentError("custody: threshold M must be at least 2");
  }
  if (count > kMaxShares) return InvalidArgumentError("custody: N must be at most 16");
  if (threshold > count) return InvalidArgumentError("custody: threshold M must not exceed N");
  return OkStatus();
}

Status ShamirSplit(std::span<ShamirShare> out_shares, const ShareValue& secret,
                   size_t threshold, ByteSpan random) {
  for (ShamirShare& s : out_shares) {
    s.index = 0;
    s.value.Clear();
  }
  PKI_RETURN_IF_ERROR(CheckSplitParameters(threshold, out_shares.size()));
  if (secret.size() != kSecretSize) return InvalidArgumentError("custody: secret size");
  if (random.size() != CoefficientBytes(threshold)) {
    return InvalidArgumentError("custody: wrong amount of random coefficient bytes");
  }
  const SecretAccess access = SecretAccess::Grant();
  const ByteSpan s = secret.View(access);
  for (size_t i = 0; i < out_shares.size(); ++i) {
    ShamirShare& share = out_shares[i];
    share.index = static_cast<uint8_t>(i + 1);
    PKI_RETURN_IF_ERROR(share.value.Resize(kSecretSize));
    MutableByteSpan y = share.value.Mutable(access);
    for (size_t b = 0; b < kSecretSize; ++b) {
      // Horner: f(x) = (((c_{M-1} x + c_{M-2}) x + ...) x + s).
      uint8_t acc = 0;
      for (size_t k = threshold - 1; k >= 1; --k) {
        acc = gf256::Add(gf256::Mul(acc, share.index), random[(k - 1) * kSecretSize + b]);
      }
      acc = gf256::Add(gf256::Mul(acc, share.index), s[b]);
      y[b] = acc;
    }
  }
  return OkStatus();
}

Status ShamirCombine(ShareValue* out_secret, std::span<const ShamirShare* const> shares) {
  out_secret->Clear();
  if (shares.size() < kMinThreshold || shares.size() > kMaxShares) {
    return InvalidArgumentError("custody: need 2..16 shares to combine");
  }
  for (size_t i = 0; i < shares.size(); ++i) {
    if (shares[i] == nullptr || shares[i]->index == 0) {
      return InvalidArgumentError("custody: share index 0 is invalid");
    }
    if (shares[i]->value.size() != kSecretSize) {
      return InvalidArgumentError("custody: share value has the wrong size");
    }
    for (size_t j = 0; j < i; ++j) {
      if (shares[j]->index == shares[i]->index) {
        return InvalidArgumentError("custody: share index repeated");
      }
    }
  }
  const SecretAccess access = SecretAccess::Grant();
  uint8_t acc[kSecretSize] = {};
  ScopedWipe wipe_acc(acc);
  for (size_t i = 0; i < shares.size(); ++i) {
    // Lagrange basis at 0: l_i = prod_{j != i} x_j / (x_j - x_i). Indices are
    // public, so this part needs no constant-time care beyond gf256's.
    uint8_t basis = 1;
    for (size_t j = 0; j < shares.size(); ++j) {
      if (j == i) continue;
      basis = gf256::Mul(basis, gf256::Div(shares[j]->index,
                                           gf256::Add(shares[j]->index, shares[i]->index)));
    }
    const ByteSpan y = shares[i]->value.View(access);
    for (size_t b = 0; b < kSecretSize; ++b) {
      acc[b] = gf256::Add(acc[b], gf256::Mul(basis, y[b]));
    }
  }
  return out_secret->Assign(ByteSpan(acc, kSecretSize));
}

}  // namespace pki::appliance::custody
