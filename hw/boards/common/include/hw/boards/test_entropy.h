// test_entropy.h — the emulated boards' entropy source: DETERMINISTIC and
// TEST-ONLY. QEMU's MPS2 boards have no TRNG, so there is nothing honest to
// read; this source is hw::fake::SeededEntropy (the same stream the host
// tests get for the same seed) behind a loud boot banner. It does not compile
// in a production build, its CMake target does not exist there, and Create
// refuses at runtime: a real board port must supply its TRNG instead.
#ifndef PKI_HW_BOARDS_TEST_ENTROPY_H_
#define PKI_HW_BOARDS_TEST_ENTROPY_H_

#if defined(PKI_PRODUCTION_BUILD) && PKI_PRODUCTION_BUILD
#error "hw/boards/common/test_entropy.h is test-only: QEMU boards have no TRNG"
#endif

#include <cstdint>
#include <memory>

#include "base/status_or.h"
#include "hw/entropy.h"
#include "hw/fake/seeded_entropy.h"

namespace pki::hw::board {

class TestOnlyEntropy final : public EntropySource {
 public:
  // Create prints the warning banner on the console and returns a source the
  // caller owns, whose bytes are determined by |seed|. FAILED_PRECONDITION in
  // a production build.
  static StatusOr<std::unique_ptr<TestOnlyEntropy>> Create(uint64_t seed);

  // See hw::EntropySource; the stream of SeededEntropy(seed).
  [[nodiscard]] Status Fill(MutableByteSpan out) override { return stream_->Fill(out); }
  bool IsTestOnly() const override { return true; }

 private:
  explicit TestOnlyEntropy(std::unique_ptr<fake::SeededEntropy> stream)
      : stream_(std::move(stream)) {}
  std::unique_ptr<fake::SeededEntropy> stream_;
};

}  // namespace pki::hw::board

#endif  // PKI_HW_BOARDS_TEST_ENTROPY_H_
