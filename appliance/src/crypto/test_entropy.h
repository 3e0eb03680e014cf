// test_entropy.h — a seeded, deterministic hw::EntropySource for tests of
// crypto/ and ca/ (header-only; refuses to compile in production builds).
// Output is SHA-256(seed || counter) blocks, so a seed reproduces a run. It
// can be told to fail after some bytes, to test entropy failure paths.
#ifndef PKI_APPLIANCE_CRYPTO_TEST_ENTROPY_H_
#define PKI_APPLIANCE_CRYPTO_TEST_ENTROPY_H_

#if PKI_PRODUCTION_BUILD
#error "test_entropy.h is test-only and must not be built into production"
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "base/bytes.h"
#include "crypto/digest.h"
#include "hw/entropy.h"

namespace pki::appliance::crypto::testing {

class SeededEntropy final : public hw::EntropySource {
 public:
  explicit SeededEntropy(uint64_t seed) : seed_(seed) {}

  Status Fill(MutableByteSpan out) override {
    if (fail_after_ >= 0 && static_cast<int64_t>(out.size()) > fail_after_) {
      fail_after_ = 0;
      return UnavailableError("test entropy: injected failure");
    }
    if (fail_after_ >= 0) fail_after_ -= static_cast<int64_t>(out.size());
    size_t done = 0;
    while (done < out.size()) {
      uint8_t in[16];
      StoreBe64(in, seed_);
      StoreBe64(in + 8, counter_++);
      const Sha256Digest block = Sha256(ByteSpan(in, sizeof(in)));
      const size_t n = std::min(out.size() - done, block.size());
      std::memcpy(out.data() + done, block.data(), n);
      done += n;
    }
    bytes_served_ += out.size();
    return OkStatus();
  }
  bool IsTestOnly() const override { return true; }

  // FailAfter makes Fill fail once more than |bytes| further bytes are asked.
  void FailAfter(int64_t bytes) { fail_after_ = bytes; }
  uint64_t bytes_served() const { return bytes_served_; }

 private:
  uint64_t seed_;
  uint64_t counter_ = 0;
  int64_t fail_after_ = -1;
  uint64_t bytes_served_ = 0;
};

}  // namespace pki::appliance::crypto::testing

#endif  // PKI_APPLIANCE_CRYPTO_TEST_ENTROPY_H_
