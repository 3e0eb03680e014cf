#include "link/frame.h"

#include <cstring>

#include "base/crc32.h"

namespace pki::appliance::link {

StatusOr<size_t> EncodeFrameInPlace(MutableByteSpan out, uint8_t kind, uint32_t request_id,
                                    size_t payload_size) {
  if (payload_size > kMaxPayload) return InvalidArgumentError("frame payload above kMaxPayload");
  if (kind != kKindRequest && kind != kKindResponse) {
    return InvalidArgumentError("unknown frame kind");
  }
  const size_t total = kHeaderSize + payload_size + kCrcSize;
  if (out.size() < total) return OutOfRangeError("frame buffer too small");
  uint8_t* p = out.data();
  p[0] = kSync0;
  p[1] = kSync1;
  p[2] = kVersion;
  p[3] = kind;
  StoreBe16(p + 4, static_cast<uint16_t>(payload_size));
  StoreBe32(p + 6, request_id);
  uint32_t crc = Crc32(ByteSpan(p + 2, kHeaderSize - 2 + payload_size));
  StoreBe32(p + kHeaderSize + payload_size, crc);
  return total;
}

StatusOr<size_t> EncodeFrame(MutableByteSpan out, uint8_t kind, uint32_t request_id,
                             ByteSpan payload) {
  if (payload.size() > kMaxPayload) return InvalidArgumentError("frame payload above kMaxPayload");
  const size_t total = kHeaderSize + payload.size() + kCrcSize;
  if (out.size() < total) return OutOfRangeError("frame buffer too small");
  if (!payload.empty()) std::memmove(out.data() + kHeaderSize, payload.data(), payload.size());
  return EncodeFrameInPlace(out, kind, request_id, payload.size());
}

}  // namespace pki::appliance::link
