#include "link/frame.h"

#include <cstring>

#include "base/crc32.h"

namespace pki::appliance::link {

StatusOr<size_t> EncodeFrame(MutableByteSpan out, uint8_t kind, uint32_t request_id,
                             ByteSpan payload) {
  if (payload.size() > kMaxPayload) return InvalidArgumentError("frame payload above kMaxPayload");
  if (kind != kKindRequest && kind != kKindResponse) {
    return InvalidArgumentError("unknown frame kind");
  }
  const size_t total = kHeaderSize + payload.size() + kCrcSize;
  if (out.size() < total) return OutOfRangeError("frame buffer too small");
  uint8_t* p = out.data();
  p[0] = kSync0;
  p[1] = kSync1;
  p[2] = kVersion;
  p[3] = kind;
  StoreBe16(p + 4, static_cast<uint16_t>(payload.size()));
  StoreBe32(p + 6, request_id);
  if (!payload.empty()) std::memcpy(p + kHeaderSize, payload.data(), payload.size());
  uint32_t crc = Crc32(ByteSpan(p + 2, kHeaderSize - 2 + payload.size()));
  StoreBe32(p + kHeaderSize + payload.size(), crc);
  return total;
}

}  // namespace pki::appliance::link
