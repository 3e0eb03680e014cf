// frame.h — the appliance link's frame layout and encoder.
//
// A frame carries one nanopb/protobuf message (a Request from the host, a
// Response from the appliance) on a byte stream. Layout (docs/appliance-link.md):
//
//   offset  size  field
//   0       2     sync bytes 0xA5 0x5A
//   2       1     version (1)
//   3       1     kind: 0x01 request (host -> appliance), 0x02 response
//   4       2     payload length N, big-endian, 0..kMaxPayload (a receiver
//                 takes at most its kind's bound: kMaxRequestPayload,
//                 kMaxResponsePayload)
//   6       4     request id, big-endian
//   10      N     payload (encoded Request or Response)
//   10+N    4     CRC-32 (IEEE) of bytes 2 .. 10+N-1, big-endian
#ifndef PKI_APPLIANCE_LINK_FRAME_H_
#define PKI_APPLIANCE_LINK_FRAME_H_

#include <cstddef>
#include <cstdint>

#include "appliance/v1/link.nanopb.h"
#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::appliance::link {

inline constexpr uint8_t kSync0 = 0xA5;
inline constexpr uint8_t kSync1 = 0x5A;
inline constexpr uint8_t kVersion = 1;
inline constexpr uint8_t kKindRequest = 0x01;
inline constexpr uint8_t kKindResponse = 0x02;
inline constexpr size_t kHeaderSize = 10;
inline constexpr size_t kCrcSize = 4;
// The largest payload either side accepts: above the largest encoded Request
// and Response (static_asserts in codec.cc keep it so).
inline constexpr size_t kMaxPayload = 6144;
inline constexpr size_t kMaxFrameSize = kHeaderSize + kMaxPayload + kCrcSize;
// What a receiver buffers: nanopb's bound on an encoded message of each kind
// (generated from link.proto/link.options, so a proto change moves them). A
// longer payload cannot be a Request (Response) within the bounds, so its
// frame is refused from the header (FrameError::kOversize) and no buffer is
// sized for kMaxPayload.
inline constexpr size_t kMaxRequestPayload = pki_appliance_v1_Request_size;
inline constexpr size_t kMaxResponsePayload = pki_appliance_v1_Response_size;
static_assert(kMaxRequestPayload <= kMaxPayload && kMaxResponsePayload <= kMaxPayload,
              "the largest Request and Response must fit a frame: raise kMaxPayload");
inline constexpr size_t kMaxRequestFrameSize = kHeaderSize + kMaxRequestPayload + kCrcSize;
inline constexpr size_t kMaxResponseFrameSize = kHeaderSize + kMaxResponsePayload + kCrcSize;
// MaxPayloadOf is the payload bound for frames of |kind| (0 for an unknown kind).
constexpr size_t MaxPayloadOf(uint8_t kind) {
  return kind == kKindRequest ? kMaxRequestPayload : kind == kKindResponse ? kMaxResponsePayload : 0;
}
// The request id of answers to frames that carried no trustworthy id (bad
// CRC, garbage, truncated, oversize). Hosts never use it for a request.
inline constexpr uint32_t kUnattributedRequestId = 0;

// EncodeFrame writes a frame of |kind| with |request_id| around |payload|
// (borrowed) into the front of |out| and returns the frame's length.
// INVALID_ARGUMENT if |payload| exceeds kMaxPayload or |kind| is unknown;
// OUT_OF_RANGE if |out| is too small (nothing useful is written then).
StatusOr<size_t> EncodeFrame(MutableByteSpan out, uint8_t kind, uint32_t request_id,
                             ByteSpan payload);

// EncodeFrameInPlace frames a payload of |payload_size| bytes that the
// caller already wrote at |frame|[kHeaderSize...]: it writes the header in
// front and the CRC behind, and returns the frame's length. Saves a copy of
// the largest buffer on the appliance. Errors as EncodeFrame.
StatusOr<size_t> EncodeFrameInPlace(MutableByteSpan frame, uint8_t kind, uint32_t request_id,
                                    size_t payload_size);

}  // namespace pki::appliance::link

#endif  // PKI_APPLIANCE_LINK_FRAME_H_
