// response_cache.h — makes retries idempotent: the appliance keeps the last
// request's id, a CRC of its payload and the exact response frame it sent,
// and the same for a few earlier requests whose answers are small
// (PKI_LINK_OLDER_RESPONSES of at most PKI_LINK_OLDER_RESPONSE_BYTES,
// appliance/config/ram_config.h; fixed-size, no heap).
//
// A host that did not get an answer (a dropped or corrupted response frame)
// resends the same frame; the appliance answers with the cached frame instead
// of doing the operation again. The same id with a different payload is a
// host bug and gets an error, never the cached answer to another question.
#ifndef PKI_APPLIANCE_DEVICE_RESPONSE_CACHE_H_
#define PKI_APPLIANCE_DEVICE_RESPONSE_CACHE_H_

#include <cstddef>
#include <cstdint>

#include "ram_config.h"  // appliance/config/: per-build sizes
#include "base/bytes.h"
#include "link/frame.h"

namespace pki::appliance::device {

class ResponseCache final {
 public:
  enum class Lookup : uint8_t { kMiss, kHit, kConflict };

  ResponseCache() = default;

  // Check compares |request_id| and |payload| (borrowed) with the cached
  // requests: kHit (Answer(request_id) is the answer to resend), kConflict
  // (same id, other payload) or kMiss. Id 0 is never cached: always kMiss.
  Lookup Check(uint32_t request_id, ByteSpan payload) const;

  // Answer borrows the cached response frame for |request_id|; empty if it
  // is not cached.
  ByteSpan Answer(uint32_t request_id) const;

  // Store remembers |frame| (copied; at most link::kMaxResponseFrameSize
  // bytes: every response frame the link server builds fits) as
  // the answer to (|request_id|, |payload|); the answer it replaces moves to
  // the older entries if it is small enough (the oldest is wiped). Frames
  // too large are not cached (returns false).
  bool Store(uint32_t request_id, ByteSpan payload, ByteSpan frame);

  // Frame borrows the cached response frame; empty when nothing is cached.
  ByteSpan Frame() const { return ByteSpan(frame_, frame_len_); }

  // Clear forgets every cached request (responses can carry secrets:
  // wrapped shares at init; they are wiped).
  void Clear();

 private:
  bool valid_ = false;
  uint32_t request_id_ = 0;
  uint32_t payload_crc_ = 0;
  size_t payload_len_ = 0;
  size_t frame_len_ = 0;
  // Sized by nanopb's bound on an encoded Response: the link server encodes
  // into a buffer of the same size, so every frame it sends can be cached.
  uint8_t frame_[link::kMaxResponseFrameSize] = {};

  struct Older {
    bool valid = false;
    uint32_t request_id = 0;
    uint32_t payload_crc = 0;
    size_t payload_len = 0;
    size_t frame_len = 0;
    uint8_t frame[PKI_LINK_OLDER_RESPONSE_BYTES] = {};
  };
  void Retire();  // moves the last answer into older_ (if it fits)
  void ClearLast();
  Older older_[PKI_LINK_OLDER_RESPONSES] = {};
  size_t next_older_ = 0;  // the slot Retire overwrites next
};

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_RESPONSE_CACHE_H_
