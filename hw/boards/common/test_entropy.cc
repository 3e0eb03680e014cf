#include "hw/boards/test_entropy.h"

#include <utility>

#include "hw/boards/board_config.h"
#include "hw/boards/board_runtime.h"

namespace pki::hw::board {

StatusOr<std::unique_ptr<TestOnlyEntropy>> TestOnlyEntropy::Create(uint64_t seed) {
  if (PKI_PRODUCTION_BUILD) {
    return FailedPreconditionError("board test entropy refused in a production build (no TRNG)");
  }
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<fake::SeededEntropy> stream, fake::SeededEntropy::Create(seed));
  ConsoleWrite(
      "\n"
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
      "!! WARNING: TEST-ONLY ENTROPY. ");
  ConsoleWrite(kBoardName);
  ConsoleWrite(
      " has no TRNG; every key, serial and\n"
      "!! nonce is derived from a fixed seed and is NOT SECRET. Never use\n"
      "!! this image for a real root. Production builds refuse this source.\n"
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
  return std::unique_ptr<TestOnlyEntropy>(new TestOnlyEntropy(std::move(stream)));
}

}  // namespace pki::hw::board
