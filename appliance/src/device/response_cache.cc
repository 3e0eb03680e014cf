#include "device/response_cache.h"

#include <cstring>

#include "base/crc32.h"
#include "base/secret.h"

namespace pki::appliance::device {

ResponseCache::Lookup ResponseCache::Check(uint32_t request_id, ByteSpan payload) const {
  if (!valid_ || request_id == link::kUnattributedRequestId || request_id != request_id_) {
    return Lookup::kMiss;
  }
  if (payload.size() != payload_len_ || Crc32(payload) != payload_crc_) return Lookup::kConflict;
  return Lookup::kHit;
}

bool ResponseCache::Store(uint32_t request_id, ByteSpan payload, ByteSpan frame) {
  Clear();
  if (request_id == link::kUnattributedRequestId || frame.size() > sizeof(frame_)) return false;
  std::memcpy(frame_, frame.data(), frame.size());
  frame_len_ = frame.size();
  request_id_ = request_id;
  payload_crc_ = Crc32(payload);
  payload_len_ = payload.size();
  valid_ = true;
  return true;
}

void ResponseCache::Clear() {
  SecureZero(frame_, frame_len_);
  frame_len_ = 0;
  valid_ = false;
  request_id_ = 0;
}

}  // namespace pki::appliance::device
