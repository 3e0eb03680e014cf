#include "device/link_server.h"

#include <cstdio>

#include "base/secret.h"
#include "device/dispatcher.h"

namespace pki::appliance::device {

LinkServer::LinkServer(Device& device, hw::SerialLink& link, hw::Clock& clock,
                       uint32_t inter_byte_timeout_ms)
    : device_(device), link_(link), clock_(clock),
      decoder_(link::kKindRequest, inter_byte_timeout_ms) {}

LinkServer::~LinkServer() {
  SecureZero(&scratch_, sizeof(scratch_));
  SecureZero(&response_, sizeof(response_));
  SecureZero(rx_, sizeof(rx_));
  cache_.Clear();
}

Status LinkServer::RunOnce(uint32_t wait_ms) {
  StatusOr<size_t> n = link_.Read(rx_, wait_ms);
  Status result;
  if (!n.ok()) {
    // The peer went away: a half-received frame is gone with it.
    decoder_.Reset();
    ++stats_.link_resets;
    result = n.status();
  } else {
    result = Drain(ByteSpan(rx_, *n));
  }
  const uint64_t now = clock_.MonotonicMillis();
  link::DecodeEvent timed = decoder_.Poll(now);
  if (timed.type != link::DecodeEvent::Type::kNeedMore) {
    Status s = OnEvent(timed);
    if (result.ok()) result = s;
    s = Drain(ByteSpan());
    if (result.ok()) result = s;
  }
  device_.Tick();
  return result;
}

Status LinkServer::Drain(ByteSpan in) {
  Status result;
  for (;;) {
    link::DecodeEvent e = decoder_.Feed(in, clock_.MonotonicMillis());
    in = in.subspan(e.consumed);
    if (e.type == link::DecodeEvent::Type::kNeedMore) {
      if (in.empty()) return result;
      continue;
    }
    Status s = OnEvent(e);
    if (result.ok()) result = s;
  }
}

Status LinkServer::OnEvent(const link::DecodeEvent& e) {
  if (e.type == link::DecodeEvent::Type::kFrame) return OnFrame(e.frame);
  ++stats_.frame_errors;
  char msg[100];
  std::snprintf(msg, sizeof(msg), "%s (%u)", link::FrameErrorName(e.error),
                static_cast<unsigned>(e.detail));
  return SendError(link::kUnattributedRequestId, pki_appliance_v1_ErrorCode_ERROR_BAD_FRAME, msg,
                   ByteSpan(), false);
}

Status LinkServer::OnFrame(const link::FrameView& frame) {
  ++stats_.frames;
  const uint32_t id = frame.request_id;
  // The payload is a view into the decoder's buffer, valid until its next
  // Feed/Poll: everything below (cache check, decode, dispatch, cache store)
  // finishes before that.
  const ByteSpan payload = frame.payload;
  if (id == link::kUnattributedRequestId) {
    return SendError(id, pki_appliance_v1_ErrorCode_ERROR_BAD_MESSAGE,
                     "request id 0 is reserved", payload, false);
  }
  switch (cache_.Check(id, payload)) {
    case ResponseCache::Lookup::kHit:
      ++stats_.replays;
      return link_.WriteAll(cache_.Answer(id));
    case ResponseCache::Lookup::kConflict:
      return SendError(id, pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT,
                       "request id reused with a different request", payload, false);
    case ResponseCache::Lookup::kMiss:
      break;
  }
  link::Request& request = scratch_.request;
  Status decoded = link::DecodeRequest(&request, payload);
  if (!decoded.ok()) {
    return SendError(id, pki_appliance_v1_ErrorCode_ERROR_BAD_MESSAGE, decoded.message(), payload,
                     true);
  }
  if (request.request_id != id) {
    SecureZero(&request, sizeof(request));
    return SendError(id, pki_appliance_v1_ErrorCode_ERROR_BAD_MESSAGE,
                     "request_id in the payload differs from the frame header", payload, true);
  }
  stats_.last_body_tag = request.which_body;
  const uint64_t t0 = clock_.MonotonicMillis();
  Dispatch(device_, request, &response_);
  stats_.last_dispatch_ms = clock_.MonotonicMillis() - t0;
  // Requests can carry passphrases and shares: wipe them now.
  SecureZero(&request, sizeof(request));
  return SendResponse(payload, true);
}

Status LinkServer::SendError(uint32_t request_id, pki_appliance_v1_ErrorCode code,
                             std::string_view message, ByteSpan request_payload, bool cache) {
  response_ = pki_appliance_v1_Response_init_zero;
  response_.request_id = request_id;
  SetError(&response_, code, message);
  return SendResponse(request_payload, cache);
}

Status LinkServer::SendResponse(ByteSpan request_payload, bool cache) {
  // Whatever a failed decode left of a request (it can hold passphrases)
  // goes before the frame takes the buffer.
  SecureZero(&scratch_, sizeof(scratch_));
  uint8_t* body = scratch_.frame + link::kHeaderSize;
  const MutableByteSpan payload_room(body, link::kMaxResponsePayload);
  StatusOr<size_t> n = link::EncodeResponse(payload_room, response_);
  if (!n.ok()) {
    // A firmware bug (every Response fits); answer with a short error instead.
    uint32_t id = response_.request_id;
    response_ = pki_appliance_v1_Response_init_zero;
    response_.request_id = id;
    SetError(&response_, pki_appliance_v1_ErrorCode_ERROR_INTERNAL, n.status().message());
    n = link::EncodeResponse(payload_room, response_);
    if (!n.ok()) return n.status();
  }
  const uint32_t id = response_.request_id;
  SecureZero(&response_, sizeof(response_));
  // The payload is already in place after the header: frame it there.
  StatusOr<size_t> f = link::EncodeFrameInPlace(scratch_.frame, link::kKindResponse, id, *n);
  if (!f.ok()) return f.status();
  ByteSpan frame(scratch_.frame, *f);
  // The cache holds any frame built here (same bound): a resend is answered.
  static_assert(sizeof(scratch_.frame) == link::kMaxResponseFrameSize);
  if (cache) cache_.Store(id, request_payload, frame);
  return link_.WriteAll(frame);
}

}  // namespace pki::appliance::device
