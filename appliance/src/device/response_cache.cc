#include "device/response_cache.h"

#include <cstring>

#include "base/crc32.h"
#include "base/secret.h"

namespace pki::appliance::device {

ResponseCache::Lookup ResponseCache::Check(uint32_t request_id, ByteSpan payload) const {
  if (request_id == link::kUnattributedRequestId) return Lookup::kMiss;
  if (valid_ && request_id == request_id_) {
    if (payload.size() != payload_len_ || Crc32(payload) != payload_crc_) return Lookup::kConflict;
    return Lookup::kHit;
  }
  for (const Older& o : older_) {
    if (!o.valid || o.request_id != request_id) continue;
    if (payload.size() != o.payload_len || Crc32(payload) != o.payload_crc) return Lookup::kConflict;
    return Lookup::kHit;
  }
  return Lookup::kMiss;
}

ByteSpan ResponseCache::Answer(uint32_t request_id) const {
  if (request_id == link::kUnattributedRequestId) return ByteSpan();
  if (valid_ && request_id == request_id_) return ByteSpan(frame_, frame_len_);
  for (const Older& o : older_) {
    if (o.valid && o.request_id == request_id) return ByteSpan(o.frame, o.frame_len);
  }
  return ByteSpan();
}

void ResponseCache::Retire() {
  if (!valid_) return;
  Older& o = older_[next_older_];
  SecureZero(o.frame, o.frame_len);
  o.valid = false;
  o.frame_len = 0;
  if (frame_len_ <= sizeof(o.frame)) {
    std::memcpy(o.frame, frame_, frame_len_);
    o.frame_len = frame_len_;
    o.request_id = request_id_;
    o.payload_crc = payload_crc_;
    o.payload_len = payload_len_;
    o.valid = true;
    next_older_ = (next_older_ + 1) % PKI_LINK_OLDER_RESPONSES;
  }
}

bool ResponseCache::Store(uint32_t request_id, ByteSpan payload, ByteSpan frame) {
  // The same id again (only a conflicting request is re-answered) replaces
  // its own entry rather than retiring a second copy of it.
  if (!(valid_ && request_id == request_id_)) Retire();
  for (Older& o : older_) {  // an id is cached once
    if (o.valid && o.request_id == request_id) {
      SecureZero(o.frame, o.frame_len);
      o.frame_len = 0;
      o.valid = false;
    }
  }
  ClearLast();
  if (request_id == link::kUnattributedRequestId || frame.size() > sizeof(frame_)) return false;
  std::memcpy(frame_, frame.data(), frame.size());
  frame_len_ = frame.size();
  request_id_ = request_id;
  payload_crc_ = Crc32(payload);
  payload_len_ = payload.size();
  valid_ = true;
  return true;
}

void ResponseCache::ClearLast() {
  SecureZero(frame_, frame_len_);
  frame_len_ = 0;
  valid_ = false;
  request_id_ = 0;
}

void ResponseCache::Clear() {
  ClearLast();
  for (Older& o : older_) {
    SecureZero(o.frame, o.frame_len);
    o.frame_len = 0;
    o.valid = false;
    o.request_id = 0;
  }
  next_older_ = 0;
}

}  // namespace pki::appliance::device
