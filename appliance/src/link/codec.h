// codec.h — nanopb encoding of the link's Request/Response envelopes into
// and out of fixed-size structs. Decoding is only ever done on a whole,
// CRC-checked frame payload of known length (FrameDecoder hands those out).
#ifndef PKI_APPLIANCE_LINK_CODEC_H_
#define PKI_APPLIANCE_LINK_CODEC_H_

#include <cstddef>

#include "appliance/v1/link.nanopb.h"
#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::appliance::link {

using Request = pki_appliance_v1_Request;
using Response = pki_appliance_v1_Response;

// DecodeRequest parses |payload| (borrowed) into |out| (overwritten; zeroed
// first). INVALID_ARGUMENT naming nanopb's reason if it does not parse or a
// field exceeds its bound; |out| is then zeroed again.
Status DecodeRequest(Request* out, ByteSpan payload);
// DecodeResponse: the same for a Response (host-side tests and tools).
Status DecodeResponse(Response* out, ByteSpan payload);

// EncodeResponse writes |msg| into the front of |out| and returns the
// length. INTERNAL naming nanopb's reason if it does not fit or a field is
// out of bounds (a firmware bug: every Response fits kMaxPayload).
StatusOr<size_t> EncodeResponse(MutableByteSpan out, const Response& msg);
// EncodeRequest: the same for a Request.
StatusOr<size_t> EncodeRequest(MutableByteSpan out, const Request& msg);

}  // namespace pki::appliance::link

#endif  // PKI_APPLIANCE_LINK_CODEC_H_
