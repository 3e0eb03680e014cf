// Fuzzes the appliance's whole receive path: the resynchronizing frame
// decoder, then nanopb's decode of every CRC-good frame into the fixed-size
// Request struct. Invariants are PKI_CHECKed inside (a break aborts).
#include <cstddef>
#include <cstdint>

#include "link/fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)pki::appliance::link::DecodeFramesForFuzzing(pki::ByteSpan(data, size));
  return 0;
}
