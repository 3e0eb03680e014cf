// frame_decoder.h — a byte-fed state machine that finds frames in a stream.
//
// The decoder never allocates: it holds one frame's worth of bytes inline
// (the larger of the largest Request and Response frame). It resynchronizes
// after garbage by scanning for the sync bytes, rejects a header (version,
// kind, length above MaxPayloadOf(kind)) before reading any payload,
// gives up on a partial frame after an inter-byte timeout, and checks the CRC
// of a whole frame before handing it out. After any failure it rescans the
// bytes it had buffered from the one after the failed sync, so a good frame
// hidden behind a truncated one is still found.
//
// Error reports are bounded: every candidate frame that fails yields exactly
// one error event; discarded garbage yields one event when the next sync
// arrives or the line goes idle, and only if no error was reported since the
// last good frame (a noisy line cannot make the appliance chatter).
#ifndef PKI_APPLIANCE_LINK_FRAME_DECODER_H_
#define PKI_APPLIANCE_LINK_FRAME_DECODER_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "link/frame.h"

namespace pki::appliance::link {

enum class FrameError : uint8_t {
  kNone = 0,
  kGarbage,      // bytes outside any frame; detail = how many were dropped
  kBadVersion,   // detail = the version byte
  kBadKind,      // detail = the kind byte (e.g. our own responses echoed back)
  kOversize,     // detail = the claimed payload length
  kBadCrc,       // detail = the payload length
  kTruncated,    // inter-byte timeout inside a frame; detail = bytes received
};

// FrameErrorName returns a short description ("bad CRC"). Never fails.
const char* FrameErrorName(FrameError error);

struct FrameView {
  uint8_t kind = 0;
  uint32_t request_id = 0;
  ByteSpan payload;  // borrows the decoder's buffer until its next call
};

struct DecodeEvent {
  enum class Type : uint8_t { kNeedMore, kFrame, kError };
  Type type = Type::kNeedMore;
  size_t consumed = 0;       // bytes of the input taken (Feed only)
  FrameError error = FrameError::kNone;
  uint32_t detail = 0;
  FrameView frame;           // kFrame only
};

class FrameDecoder final {
 public:
  static constexpr uint32_t kDefaultInterByteTimeoutMs = 500;

  // Accepts frames of |expected_kind| only (kKindRequest on the appliance,
  // kKindResponse on the host); a partial frame idle for longer than
  // |inter_byte_timeout_ms| is dropped as truncated.
  explicit FrameDecoder(uint8_t expected_kind,
                        uint32_t inter_byte_timeout_ms = kDefaultInterByteTimeoutMs)
      : expected_kind_(expected_kind), timeout_ms_(inter_byte_timeout_ms) {}

  // Feed takes bytes from the front of |in| (borrowed) at time |now_ms| until
  // one event happens or |in| is used up, and returns the event with how many
  // bytes it took. Call again with the rest of |in| until it returns
  // kNeedMore having consumed everything; a kFrame's payload stays valid until
  // the next call. Never fails: bad input is an event.
  DecodeEvent Feed(ByteSpan in, uint64_t now_ms);

  // Poll reports what the passage of time decides at |now_ms|: a partial
  // frame idle past the timeout (kTruncated) or idle garbage (kGarbage).
  // Returns kNeedMore if nothing is due. After an event, call Feed with an
  // empty span until kNeedMore: buffered bytes are rescanned.
  DecodeEvent Poll(uint64_t now_ms);

  // Reset forgets everything buffered (the peer went away).
  void Reset();

  // Buffered is how many bytes of a candidate frame are held.
  size_t Buffered() const { return len_; }
  // MaxPayload is the longest payload this decoder accepts.
  size_t MaxPayload() const { return MaxPayloadOf(expected_kind_); }

 private:
  // Processes one byte; returns an event or kNeedMore.
  DecodeEvent Process(uint8_t b, uint64_t now_ms);
  // Fail drops the candidate's first byte and schedules the rest for rescan.
  DecodeEvent Fail(FrameError error, uint32_t detail);
  size_t ExpectedTotal() const { return kHeaderSize + payload_len_ + kCrcSize; }

  uint8_t expected_kind_;
  uint32_t timeout_ms_;
  static constexpr size_t kBufferSize =
      kMaxRequestFrameSize > kMaxResponseFrameSize ? kMaxRequestFrameSize : kMaxResponseFrameSize;
  static_assert(kHeaderSize + MaxPayloadOf(kKindRequest) + kCrcSize <= kBufferSize &&
                kHeaderSize + MaxPayloadOf(kKindResponse) + kCrcSize <= kBufferSize);
  uint8_t buf_[kBufferSize] = {};
  size_t len_ = 0;            // candidate bytes in buf_[0, len_)
  size_t replay_pos_ = 0;     // bytes to rescan: buf_[replay_pos_, replay_end_)
  size_t replay_end_ = 0;
  size_t payload_len_ = 0;
  uint32_t garbage_ = 0;
  bool suppress_garbage_ = false;
  bool frame_out_ = false;    // buf_ holds a frame handed out last call
  uint64_t last_byte_ms_ = 0;
};

}  // namespace pki::appliance::link

#endif  // PKI_APPLIANCE_LINK_FRAME_DECODER_H_
