#include "link/frame_decoder.h"

#include <cstring>

#include "base/crc32.h"

namespace pki::appliance::link {

const char* FrameErrorName(FrameError error) {
  switch (error) {
    case FrameError::kNone: return "no error";
    case FrameError::kGarbage: return "garbage outside a frame";
    case FrameError::kBadVersion: return "unsupported frame version";
    case FrameError::kBadKind: return "wrong frame kind";
    case FrameError::kOversize: return "frame length above maximum";
    case FrameError::kBadCrc: return "bad frame CRC";
    case FrameError::kTruncated: return "truncated frame (inter-byte timeout)";
  }
  return "unknown frame error";
}

namespace {

DecodeEvent ErrorEvent(FrameError error, uint32_t detail) {
  DecodeEvent e;
  e.type = DecodeEvent::Type::kError;
  e.error = error;
  e.detail = detail;
  return e;
}

}  // namespace

void FrameDecoder::Reset() {
  len_ = 0;
  replay_pos_ = replay_end_ = 0;
  payload_len_ = 0;
  garbage_ = 0;
  suppress_garbage_ = false;
  frame_out_ = false;
}

DecodeEvent FrameDecoder::Fail(FrameError error, uint32_t detail) {
  // Rescan buf_[1, len_) followed by any bytes still waiting for rescan.
  // Writes into buf_ always stay behind the rescan position, so compacting
  // in place is safe.
  size_t rest = replay_end_ - replay_pos_;
  if (rest > 0 && replay_pos_ != len_) std::memmove(buf_ + len_, buf_ + replay_pos_, rest);
  replay_pos_ = len_ > 0 ? 1 : 0;
  replay_end_ = len_ + rest;
  if (len_ == 0) replay_pos_ = 0;
  len_ = 0;
  payload_len_ = 0;
  suppress_garbage_ = true;
  return ErrorEvent(error, detail);
}

DecodeEvent FrameDecoder::Process(uint8_t b, uint64_t now_ms) {
  last_byte_ms_ = now_ms;
  if (len_ == 0) {
    if (b == kSync0) {
      buf_[len_++] = b;
    } else {
      ++garbage_;
    }
    return {};
  }
  if (len_ == 1) {
    if (b != kSync1) {
      ++garbage_;  // the lone sync0 was garbage
      if (b != kSync0) {
        ++garbage_;
        len_ = 0;
      }
      return {};
    }
    buf_[len_++] = b;
    if (garbage_ > 0) {
      uint32_t dropped = garbage_;
      garbage_ = 0;
      if (!suppress_garbage_) {
        suppress_garbage_ = true;
        return ErrorEvent(FrameError::kGarbage, dropped);
      }
    }
    return {};
  }
  buf_[len_++] = b;
  if (len_ == kHeaderSize) {
    if (buf_[2] != kVersion) return Fail(FrameError::kBadVersion, buf_[2]);
    if (buf_[3] != expected_kind_) return Fail(FrameError::kBadKind, buf_[3]);
    payload_len_ = LoadBe16(buf_ + 4);
    // The kind is checked above, so ExpectedTotal() <= kBufferSize.
    if (payload_len_ > MaxPayload()) {
      return Fail(FrameError::kOversize, static_cast<uint32_t>(payload_len_));
    }
    return {};
  }
  if (len_ > kHeaderSize && len_ == ExpectedTotal()) {
    const size_t crc_at = kHeaderSize + payload_len_;
    uint32_t want = LoadBe32(buf_ + crc_at);
    uint32_t got = Crc32(ByteSpan(buf_ + 2, crc_at - 2));
    if (want != got) return Fail(FrameError::kBadCrc, static_cast<uint32_t>(payload_len_));
    DecodeEvent e;
    e.type = DecodeEvent::Type::kFrame;
    e.frame.kind = buf_[3];
    e.frame.request_id = LoadBe32(buf_ + 6);
    e.frame.payload = ByteSpan(buf_ + kHeaderSize, payload_len_);
    frame_out_ = true;
    suppress_garbage_ = false;
    return e;
  }
  return {};
}

DecodeEvent FrameDecoder::Feed(ByteSpan in, uint64_t now_ms) {
  if (frame_out_) {
    frame_out_ = false;
    len_ = 0;
    payload_len_ = 0;
  }
  // Rescan buffered bytes first: they arrived before |in|.
  while (replay_pos_ < replay_end_) {
    uint8_t b = buf_[replay_pos_++];
    if (replay_pos_ == replay_end_) replay_pos_ = replay_end_ = 0;
    DecodeEvent e = Process(b, now_ms);
    if (e.type != DecodeEvent::Type::kNeedMore) return e;
  }
  size_t used = 0;
  while (used < in.size()) {
    DecodeEvent e = Process(in[used++], now_ms);
    if (e.type != DecodeEvent::Type::kNeedMore) {
      e.consumed = used;
      return e;
    }
  }
  DecodeEvent done;
  done.consumed = used;
  return done;
}

DecodeEvent FrameDecoder::Poll(uint64_t now_ms) {
  if (frame_out_ || replay_pos_ < replay_end_) return {};
  if (now_ms - last_byte_ms_ <= timeout_ms_) return {};
  if (len_ >= 2) return Fail(FrameError::kTruncated, static_cast<uint32_t>(len_));
  if (len_ == 1) {
    ++garbage_;
    len_ = 0;
  }
  if (garbage_ > 0) {
    uint32_t dropped = garbage_;
    garbage_ = 0;
    if (!suppress_garbage_) {
      suppress_garbage_ = true;
      return ErrorEvent(FrameError::kGarbage, dropped);
    }
  }
  return {};
}

}  // namespace pki::appliance::link
