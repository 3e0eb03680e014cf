#include "link/fuzz_entry.h"

#include "base/status.h"
#include "link/codec.h"
#include "link/frame_decoder.h"

namespace pki::appliance::link {
namespace {

void Handle(const DecodeEvent& e, FuzzDecodeSummary& sum, Request& scratch) {
  if (e.type == DecodeEvent::Type::kFrame) {
    PKI_CHECK(e.frame.payload.size() <= kMaxRequestPayload);
    PKI_CHECK(e.frame.kind == kKindRequest);
    ++sum.frames;
    if (DecodeRequest(&scratch, e.frame.payload).ok()) ++sum.decoded_requests;
  } else if (e.type == DecodeEvent::Type::kError) {
    PKI_CHECK(e.error != FrameError::kNone);
    ++sum.errors;
  }
}

}  // namespace

FuzzDecodeSummary DecodeFramesForFuzzing(ByteSpan data) {
  FuzzDecodeSummary sum;
  if (data.empty()) return sum;
  // About 12 KiB of stack; nothing outlives the call.
  FrameDecoder decoder(kKindRequest, 100);
  Request scratch{};
  const size_t chunk = static_cast<size_t>(data[0]) + 1;
  ByteSpan rest = data.subspan(1);
  uint64_t now = 1;
  while (!rest.empty()) {
    ByteSpan piece = rest.first(rest.size() < chunk ? rest.size() : chunk);
    rest = rest.subspan(piece.size());
    for (;;) {
      DecodeEvent e = decoder.Feed(piece, now);
      PKI_CHECK(e.consumed <= piece.size());
      PKI_CHECK(decoder.Buffered() <= kMaxRequestFrameSize);
      Handle(e, sum, scratch);
      piece = piece.subspan(e.consumed);
      if (e.type == DecodeEvent::Type::kNeedMore && piece.empty()) break;
    }
    ++now;
  }
  // A long pause: any partial frame times out; drain the rescans it causes.
  for (int guard = 0; guard < 100000; ++guard) {
    now += 1000;
    DecodeEvent e = decoder.Poll(now);
    Handle(e, sum, scratch);
    DecodeEvent f = decoder.Feed(ByteSpan(), now);
    Handle(f, sum, scratch);
    if (e.type == DecodeEvent::Type::kNeedMore && f.type == DecodeEvent::Type::kNeedMore &&
        decoder.Buffered() == 0) {
      break;
    }
  }
  return sum;
}

}  // namespace pki::appliance::link
