// hex.h — lower-case hex encoding and strict decoding, without a heap.
#ifndef PKI_BASE_HEX_H_
#define PKI_BASE_HEX_H_

#include <cstddef>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki {

// HexEncode writes 2*|in|.size() lower-case hex characters to |out| and
// returns how many it wrote; fails with OUT_OF_RANGE if |out| is too small
// (|out| is then left unspecified).
StatusOr<size_t> HexEncode(std::span<char> out, ByteSpan in);

// HexDecode parses |hex| (even length, [0-9a-fA-F] only) into |out| and
// returns the number of bytes written. INVALID_ARGUMENT names the first bad
// character's offset; OUT_OF_RANGE if |out| is too small.
StatusOr<size_t> HexDecode(MutableByteSpan out, std::string_view hex);

}  // namespace pki

#endif  // PKI_BASE_HEX_H_
