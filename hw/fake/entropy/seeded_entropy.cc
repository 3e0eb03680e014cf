#include "hw/fake/seeded_entropy.h"

#include "base/secret.h"

namespace pki::hw::fake {

StatusOr<std::unique_ptr<SeededEntropy>> SeededEntropy::Create(uint64_t seed) {
  if (PKI_PRODUCTION_BUILD) {
    return FailedPreconditionError("seeded entropy is test-only; refused in a production build");
  }
  return std::unique_ptr<SeededEntropy>(new SeededEntropy(seed));
}

// SplitMix64: a good, tiny, deterministic mixer. Not a CSPRNG, and it
// does not need to be: this source exists for reproducible tests only.
uint64_t SeededEntropy::Next() {
  state_ += 0x9E3779B97F4A7C15ull;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Status SeededEntropy::Fill(MutableByteSpan out) {
  if (fail_armed_) {
    if (calls_left_ == 0) {
      SecureZero(out.data(), out.size());
      return UnavailableError("entropy source failure injected (health test)");
    }
    --calls_left_;
  }
  ++fills_;
  size_t i = 0;
  while (i < out.size()) {
    uint64_t v = Next();
    for (int b = 0; b < 8 && i < out.size(); ++b, ++i) {
      out[i] = static_cast<uint8_t>(v >> (8 * b));
    }
  }
  return OkStatus();
}

}  // namespace pki::hw::fake
