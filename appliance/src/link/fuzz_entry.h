// fuzz_entry.h — a pure function over bytes for a libFuzzer target (added by
// a later issue): it runs the whole receive path (FrameDecoder, then the
// nanopb decode of every frame it yields) over |data| and checks the
// decoder's invariants, panicking (PKI_CHECK) if one breaks.
#ifndef PKI_APPLIANCE_LINK_FUZZ_ENTRY_H_
#define PKI_APPLIANCE_LINK_FUZZ_ENTRY_H_

#include <cstddef>

#include "base/bytes.h"

namespace pki::appliance::link {

struct FuzzDecodeSummary {
  size_t frames = 0;           // CRC-good frames found
  size_t decoded_requests = 0; // of which nanopb decoded a Request
  size_t errors = 0;           // error events (garbage, bad CRC, ...)
};

// DecodeFramesForFuzzing treats |data| (borrowed) as a script: the first
// byte sets the read chunk size (1..256) and every chunk is fed at a clock
// that advances 1 ms per chunk, so timeouts only happen at the end (a final
// Poll after a long pause). No heap, no globals; deterministic in |data|.
// Returns what it found; never fails.
FuzzDecodeSummary DecodeFramesForFuzzing(ByteSpan data);

}  // namespace pki::appliance::link

#endif  // PKI_APPLIANCE_LINK_FUZZ_ENTRY_H_
