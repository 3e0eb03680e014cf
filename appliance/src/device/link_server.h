// link_server.h — the appliance's main loop over its serial link: read with
// a timeout, decode frames, answer each one, and give the device a tick.
//
// Rules (docs/appliance-link.md):
//   - every complete frame gets exactly one response frame;
//   - frames that cannot be attributed (garbage, bad header, bad CRC,
//     truncated) are answered with request id 0 and ERROR_BAD_FRAME;
//   - a CRC-good frame whose payload does not decode, or whose payload's
//     request_id differs from the header's, gets ERROR_BAD_MESSAGE;
//   - a repeated request id with the same payload gets the cached response
//     frame again, byte for byte; with another payload, ERROR_INVALID_ARGUMENT.
// No heap: buffers are members (about 20 KiB: the decoder's frame buffer, the
// response cache's copy of the last response frame, the decoded response and
// one buffer the decoded request and the response frame take turns in). The
// request payload is used in place in the decoder's buffer.
#ifndef PKI_APPLIANCE_DEVICE_LINK_SERVER_H_
#define PKI_APPLIANCE_DEVICE_LINK_SERVER_H_

#include <cstdint>

#include "base/status.h"
#include "device/device.h"
#include "device/response_cache.h"
#include "hw/clock.h"
#include "hw/serial_link.h"
#include "link/codec.h"
#include "link/frame_decoder.h"

namespace pki::appliance::device {

struct LinkStats {
  uint64_t frames = 0;         // CRC-good frames received
  uint64_t frame_errors = 0;   // error events answered with id 0
  uint64_t replays = 0;        // answered from the cache
  uint64_t link_resets = 0;    // peer disconnects
  uint32_t last_body_tag = 0;  // Request body field number of the last dispatched request
  uint64_t last_dispatch_ms = 0;  // how long the device took to answer it
};

class LinkServer final {
 public:
  // Borrows |device|, |link| and |clock| for its lifetime.
  LinkServer(Device& device, hw::SerialLink& link, hw::Clock& clock,
             uint32_t inter_byte_timeout_ms = link::FrameDecoder::kDefaultInterByteTimeoutMs);
  LinkServer(const LinkServer&) = delete;
  LinkServer& operator=(const LinkServer&) = delete;
  ~LinkServer();

  // RunOnce reads for up to |wait_ms|, answers every event the bytes
  // produce, checks the inter-byte timeout and ticks the device. Returns the
  // link's error if a write failed or the peer went away (the server keeps
  // its state and can be run again); OK otherwise.
  [[nodiscard]] Status RunOnce(uint32_t wait_ms);

  const LinkStats& stats() const { return stats_; }

 private:
  [[nodiscard]] Status Drain(ByteSpan in);
  [[nodiscard]] Status OnEvent(const link::DecodeEvent& e);
  [[nodiscard]] Status OnFrame(const link::FrameView& frame);
  [[nodiscard]] Status SendError(uint32_t request_id, pki_appliance_v1_ErrorCode code,
                                 std::string_view message, ByteSpan request_payload,
                                 bool cache);
  // Encodes response_ into a frame in scratch_.frame (overwriting the
  // request, which must be done with), caches it for |request_payload|
  // if |cache|, and writes it.
  [[nodiscard]] Status SendResponse(ByteSpan request_payload, bool cache);

  Device& device_;
  hw::SerialLink& link_;
  hw::Clock& clock_;
  link::FrameDecoder decoder_;
  ResponseCache cache_;
  LinkStats stats_;
  // The decoded request and the response frame are never needed at once:
  // the frame is built after Dispatch, once the request is wiped (or when
  // there is no request to decode). They share one buffer.
  static constexpr size_t kResponseFrameCapacity = link::kMaxResponseFrameSize;
  union Scratch {
    link::Request request;
    uint8_t frame[kResponseFrameCapacity];
  };
  Scratch scratch_{};
  link::Response response_{};
  // Bytes per read: the UART driver buffers more (the board's RX ring).
  uint8_t rx_[128] = {};
};

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_LINK_SERVER_H_
