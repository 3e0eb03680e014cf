#include "link/codec.h"

#include "base/secret.h"
#include "link/frame.h"
#include "pb_decode.h"
#include "pb_encode.h"

namespace pki::appliance::link {

static_assert(pki_appliance_v1_Request_size <= kMaxPayload,
              "the largest Request must fit a frame: raise kMaxPayload or lower a bound");
static_assert(pki_appliance_v1_Response_size <= kMaxPayload,
              "the largest Response must fit a frame: raise kMaxPayload or lower a bound");

namespace {

template <typename T>
Status Decode(T* out, const pb_msgdesc_t* fields, ByteSpan payload, const char* what) {
  SecureZero(out, sizeof(*out));
  pb_istream_t in = pb_istream_from_buffer(payload.data(), payload.size());
  if (!pb_decode(&in, fields, out)) {
    SecureZero(out, sizeof(*out));
    return InvalidArgumentError(what).Append(": ").Append(PB_GET_ERROR(&in));
  }
  return OkStatus();
}

template <typename T>
StatusOr<size_t> Encode(MutableByteSpan out, const pb_msgdesc_t* fields, const T& msg,
                        const char* what) {
  pb_ostream_t os = pb_ostream_from_buffer(out.data(), out.size());
  if (!pb_encode(&os, fields, &msg)) {
    return InternalError(what).Append(": ").Append(PB_GET_ERROR(&os));
  }
  return os.bytes_written;
}

}  // namespace

Status DecodeRequest(Request* out, ByteSpan payload) {
  return Decode(out, pki_appliance_v1_Request_fields, payload, "undecodable request");
}
Status DecodeResponse(Response* out, ByteSpan payload) {
  return Decode(out, pki_appliance_v1_Response_fields, payload, "undecodable response");
}
StatusOr<size_t> EncodeResponse(MutableByteSpan out, const Response& msg) {
  return Encode(out, pki_appliance_v1_Response_fields, msg, "response encoding failed");
}
StatusOr<size_t> EncodeRequest(MutableByteSpan out, const Request& msg) {
  return Encode(out, pki_appliance_v1_Request_fields, msg, "request encoding failed");
}

}  // namespace pki::appliance::link
