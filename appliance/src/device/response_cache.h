// response_cache.h — makes retries idempotent: the appliance keeps the last
// request's id, a CRC of its payload and the exact response frame it sent.
//
// A host that did not get an answer (a dropped or corrupted response frame)
// resends the same frame; the appliance answers with the cached frame instead
// of doing the operation again. The same id with a different payload is a
// host bug and gets an error, never the cached answer to another question.
#ifndef PKI_APPLIANCE_DEVICE_RESPONSE_CACHE_H_
#define PKI_APPLIANCE_DEVICE_RESPONSE_CACHE_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "link/frame.h"

namespace pki::appliance::device {

class ResponseCache final {
 public:
  enum class Lookup : uint8_t { kMiss, kHit, kConflict };

  ResponseCache() = default;

  // Check compares |request_id| and |payload| (borrowed) with the cached
  // request: kHit (Frame() is the answer to resend), kConflict (same id,
  // other payload) or kMiss. Id 0 is never cached: always kMiss.
  Lookup Check(uint32_t request_id, ByteSpan payload) const;

  // Store remembers |frame| (copied; at most link::kMaxFrameSize bytes) as
  // the answer to (|request_id|, |payload|). Frames too large are not cached
  // (returns false).
  bool Store(uint32_t request_id, ByteSpan payload, ByteSpan frame);

  // Frame borrows the cached response frame; empty when nothing is cached.
  ByteSpan Frame() const { return ByteSpan(frame_, frame_len_); }

  // Clear forgets the cached request (responses can carry secrets: wrapped
  // shares at init; they are wiped).
  void Clear();

 private:
  bool valid_ = false;
  uint32_t request_id_ = 0;
  uint32_t payload_crc_ = 0;
  size_t payload_len_ = 0;
  size_t frame_len_ = 0;
  uint8_t frame_[link::kMaxFrameSize] = {};
};

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_RESPONSE_CACHE_H_
