// seeded_entropy.h — a deterministic EntropySource for tests ONLY.
//
// Same seed, same bytes: tests get reproducible keys and nonces. It must never
// reach a production build (DESIGN invariant 9): this header does not compile
// with PKI_PRODUCTION_BUILD=1, the CMake target is not defined in production
// builds, and Create refuses at runtime as a third line.
#ifndef PKI_HW_FAKE_SEEDED_ENTROPY_H_
#define PKI_HW_FAKE_SEEDED_ENTROPY_H_

#if defined(PKI_PRODUCTION_BUILD) && PKI_PRODUCTION_BUILD
#error "hw/fake/seeded_entropy.h is test-only and refused in production builds"
#endif

#include <cstdint>
#include <memory>

#include "base/status_or.h"
#include "hw/entropy.h"

namespace pki::hw::fake {

class SeededEntropy final : public EntropySource {
 public:
  // Create returns a source the caller owns, producing a stream determined
  // by |seed|. FAILED_PRECONDITION in a production build.
  static StatusOr<std::unique_ptr<SeededEntropy>> Create(uint64_t seed);

  // Fill returns the next bytes of the stream, or UNAVAILABLE while a
  // failure is injected (|out| is then zeroed).
  [[nodiscard]] Status Fill(MutableByteSpan out) override;
  bool IsTestOnly() const override { return true; }

  // FailAfter makes every Fill after the next |calls| successful ones fail,
  // as a TRNG whose health test trips would.
  void FailAfter(uint32_t calls) {
    fail_armed_ = true;
    calls_left_ = calls;
  }
  void StopFailing() { fail_armed_ = false; }
  uint64_t FillCount() const { return fills_; }

 private:
  explicit SeededEntropy(uint64_t seed) : state_(seed) {}
  uint64_t Next();

  uint64_t state_;
  bool fail_armed_ = false;
  uint32_t calls_left_ = 0;
  uint64_t fills_ = 0;
};

}  // namespace pki::hw::fake

#endif  // PKI_HW_FAKE_SEEDED_ENTROPY_H_
