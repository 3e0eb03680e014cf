#include "link/frame_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "link/frame.h"

namespace pki::appliance::link {
namespace {

std::vector<uint8_t> MakeFrame(uint32_t id, std::string_view payload,
                               uint8_t kind = kKindRequest) {
  std::vector<uint8_t> out(kMaxFrameSize);
  StatusOr<size_t> n = EncodeFrame(out, kind, id, AsBytes(payload));
  EXPECT_TRUE(n.ok());
  out.resize(n.ok() ? *n : 0);
  return out;
}

struct Seen {
  std::vector<std::pair<uint32_t, std::string>> frames;
  std::vector<std::pair<FrameError, uint32_t>> errors;
};

void Record(const DecodeEvent& e, Seen& seen) {
  if (e.type == DecodeEvent::Type::kFrame) {
    seen.frames.emplace_back(e.frame.request_id, std::string(AsChars(e.frame.payload)));
  } else if (e.type == DecodeEvent::Type::kError) {
    seen.errors.emplace_back(e.error, e.detail);
  }
}

// Feeds |bytes| in chunks of |chunk| at |now|, recording every event.
void FeedAll(FrameDecoder& d, const std::vector<uint8_t>& bytes, Seen& seen, uint64_t now = 0,
             size_t chunk = 0) {
  ByteSpan rest(bytes);
  if (chunk == 0) chunk = bytes.size() + 1;
  while (!rest.empty()) {
    ByteSpan piece = rest.first(rest.size() < chunk ? rest.size() : chunk);
    rest = rest.subspan(piece.size());
    for (;;) {
      DecodeEvent e = d.Feed(piece, now);
      Record(e, seen);
      piece = piece.subspan(e.consumed);
      if (e.type == DecodeEvent::Type::kNeedMore && piece.empty()) break;
    }
  }
}

void PollAndDrain(FrameDecoder& d, uint64_t now, Seen& seen) {
  Record(d.Poll(now), seen);
  for (;;) {
    DecodeEvent e = d.Feed(ByteSpan(), now);
    Record(e, seen);
    if (e.type == DecodeEvent::Type::kNeedMore) break;
  }
}

std::vector<uint8_t> Cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(FrameLayout, MatchesTheDocumentedBytes) {
  std::vector<uint8_t> f = MakeFrame(0x01020304, "hi");
  ASSERT_EQ(f.size(), kHeaderSize + 2 + kCrcSize);
  std::vector<uint8_t> head(f.begin(), f.begin() + 12);
  EXPECT_EQ(head, (std::vector<uint8_t>{0xA5, 0x5A, 1, 1, 0, 2, 1, 2, 3, 4, 'h', 'i'}));
  // CRC-32 over version..payload, big-endian; independently computed with
  // python3 -c "import zlib;print(hex(zlib.crc32(bytes([1,1,0,2,1,2,3,4])+b'hi')))"
  EXPECT_EQ(LoadBe32(f.data() + 12), 0xb1c6b986u);
}

TEST(FrameEncoder, RefusesOversizeAndSmallBuffers) {
  std::vector<uint8_t> out(kMaxFrameSize + 10);
  std::vector<uint8_t> big(kMaxPayload + 1);
  EXPECT_EQ(EncodeFrame(out, kKindRequest, 1, big).status().code(), StatusCode::kInvalidArgument);
  uint8_t tiny[8];
  EXPECT_EQ(EncodeFrame(tiny, kKindRequest, 1, AsBytes("x")).status().code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(EncodeFrame(out, 7, 1, AsBytes("x")).status().code(), StatusCode::kInvalidArgument);
}

TEST(FrameDecoder, DecodesOneFrame) {
  FrameDecoder d(kKindRequest);
  Seen seen;
  FeedAll(d, MakeFrame(42, "payload"), seen);
  ASSERT_EQ(seen.frames.size(), 1u);
  EXPECT_EQ(seen.frames[0].first, 42u);
  EXPECT_EQ(seen.frames[0].second, "payload");
  EXPECT_TRUE(seen.errors.empty());
}

TEST(FrameDecoder, GarbageBeforeAFrameIsReportedOnceThenTheFrameDecodes) {
  FrameDecoder d(kKindRequest);
  Seen seen;
  // Includes a lone sync0 and sync0 sync0 pairs to exercise the scanner.
  std::vector<uint8_t> garbage = {'h', 'e', 'l', 'l', 'o', 0xA5, 0x00, 0xA5, 0xA5, 0x13};
  FeedAll(d, Cat({garbage, MakeFrame(7, "x")}), seen);
  ASSERT_EQ(seen.errors.size(), 1u);
  EXPECT_EQ(seen.errors[0].first, FrameError::kGarbage);
  EXPECT_EQ(seen.errors[0].second, garbage.size());
  ASSERT_EQ(seen.frames.size(), 1u);
  EXPECT_EQ(seen.frames[0].first, 7u);
}

TEST(FrameDecoder, SplitReadsOfEverySizeGiveTheSameFrames) {
  std::vector<uint8_t> stream = Cat({MakeFrame(1, "first"), MakeFrame(2, std::string(300, 'q')),
                                     MakeFrame(3, "")});
  for (size_t chunk = 1; chunk <= 17; ++chunk) {
    FrameDecoder d(kKindRequest);
    Seen seen;
    FeedAll(d, stream, seen, 0, chunk);
    ASSERT_EQ(seen.frames.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(seen.frames[1].second, std::string(300, 'q'));
    EXPECT_EQ(seen.frames[2].second, "");
    EXPECT_TRUE(seen.errors.empty());
  }
}

TEST(FrameDecoder, BackToBackFramesInOneRead) {
  FrameDecoder d(kKindRequest);
  Seen seen;
  FeedAll(d, Cat({MakeFrame(10, "a"), MakeFrame(11, "b"), MakeFrame(12, "c")}), seen);
  ASSERT_EQ(seen.frames.size(), 3u);
  EXPECT_EQ(seen.frames[0].first, 10u);
  EXPECT_EQ(seen.frames[2].second, "c");
}

TEST(FrameDecoder, OversizeLengthIsRejectedFromTheHeaderAlone) {
  FrameDecoder d(kKindRequest);
  std::vector<uint8_t> header = {0xA5, 0x5A, 1, 1, 0xFF, 0xF0, 0, 0, 0, 9};
  Seen seen;
  FeedAll(d, header, seen);  // no payload bytes at all: rejected already
  ASSERT_EQ(seen.errors.size(), 1u);
  EXPECT_EQ(seen.errors[0].first, FrameError::kOversize);
  EXPECT_EQ(seen.errors[0].second, 0xFFF0u);
  // The rest of that header is silent garbage; the next frame decodes.
  FeedAll(d, MakeFrame(5, "ok"), seen);
  ASSERT_EQ(seen.frames.size(), 1u);
  EXPECT_EQ(seen.frames[0].first, 5u);
  EXPECT_EQ(seen.errors.size(), 1u);
}

// The decoder buffers one frame of its kind's largest payload (the nanopb
// bound of an encoded Request / Response): exactly that decodes, one byte
// more is refused from the header, and the next frame still decodes.
TEST(FrameDecoder, AcceptsExactlyItsKindsLargestPayload) {
  for (uint8_t kind : {kKindRequest, kKindResponse}) {
    const size_t max = kind == kKindRequest ? kMaxRequestPayload : kMaxResponsePayload;
    FrameDecoder d(kind);
    EXPECT_EQ(d.MaxPayload(), max);
    std::string largest(max, 'L');
    largest.front() = 'F';
    largest.back() = 'B';
    Seen seen;
    FeedAll(d, MakeFrame(21, largest, kind), seen, 0, 97);
    ASSERT_EQ(seen.frames.size(), 1u) << int{kind};
    EXPECT_EQ(seen.frames[0].first, 21u);
    EXPECT_EQ(seen.frames[0].second, largest);
    EXPECT_TRUE(seen.errors.empty());
    const std::string over(max + 1, 'O');
    FeedAll(d, Cat({MakeFrame(22, over, kind), MakeFrame(23, "after", kind)}), seen);
    ASSERT_EQ(seen.errors.size(), 1u) << int{kind};
    EXPECT_EQ(seen.errors[0].first, FrameError::kOversize);
    EXPECT_EQ(seen.errors[0].second, max + 1);
    ASSERT_EQ(seen.frames.size(), 2u) << int{kind};
    EXPECT_EQ(seen.frames[1].first, 23u);
    EXPECT_EQ(seen.frames[1].second, "after");
  }
  // The protocol's ceiling is above both: the encoder still frames it.
  static_assert(kMaxRequestPayload < kMaxPayload && kMaxResponsePayload < kMaxPayload);
}

TEST(FrameDecoder, BadCrcIsOneErrorAndTheNextFrameDecodes) {
  FrameDecoder d(kKindRequest);
  std::vector<uint8_t> bad = MakeFrame(9, "corrupt me");
  bad[kHeaderSize + 3] ^= 0x01;
  Seen seen;
  FeedAll(d, Cat({bad, MakeFrame(10, "fine")}), seen);
  ASSERT_EQ(seen.errors.size(), 1u);
  EXPECT_EQ(seen.errors[0].first, FrameError::kBadCrc);
  ASSERT_EQ(seen.frames.size(), 1u);
  EXPECT_EQ(seen.frames[0].first, 10u);
}

TEST(FrameDecoder, BadVersionAndEchoedResponsesAreRejected) {
  FrameDecoder d(kKindRequest);
  std::vector<uint8_t> v2 = MakeFrame(1, "x");
  v2[2] = 2;
  Seen seen;
  FeedAll(d, v2, seen);
  FeedAll(d, MakeFrame(2, "x"), seen);  // resets the garbage suppression
  FeedAll(d, MakeFrame(3, "x", kKindResponse), seen);
  ASSERT_EQ(seen.errors.size(), 2u);
  EXPECT_EQ(seen.errors[0].first, FrameError::kBadVersion);
  EXPECT_EQ(seen.errors[1].first, FrameError::kBadKind);
  ASSERT_EQ(seen.frames.size(), 1u);
}

TEST(FrameDecoder, TruncatedFrameTimesOutAndTheLinkRecovers) {
  FrameDecoder d(kKindRequest, 500);
  std::vector<uint8_t> f = MakeFrame(3, "this frame is cut short");
  std::vector<uint8_t> part(f.begin(), f.begin() + 15);
  Seen seen;
  FeedAll(d, part, seen, 1000);
  PollAndDrain(d, 1500, seen);  // exactly the timeout: not yet
  EXPECT_TRUE(seen.errors.empty());
  PollAndDrain(d, 1501, seen);
  ASSERT_EQ(seen.errors.size(), 1u);
  EXPECT_EQ(seen.errors[0].first, FrameError::kTruncated);
  EXPECT_EQ(seen.errors[0].second, 15u);
  EXPECT_EQ(d.Buffered(), 0u);
  FeedAll(d, MakeFrame(4, "next"), seen, 2000);
  ASSERT_EQ(seen.frames.size(), 1u);
  EXPECT_EQ(seen.frames[0].first, 4u);
}

TEST(FrameDecoder, GoodFrameRightBehindATruncatedOneIsRecoveredByRescan) {
  FrameDecoder d(kKindRequest);
  std::vector<uint8_t> cut = MakeFrame(3, std::string(40, 'z'));
  cut.resize(kHeaderSize + 5);  // claims 40 bytes, sends 5
  Seen seen;
  // The good frame is shorter than the rest of the claimed payload + CRC, so
  // more bytes must follow before the CRC check can fail.
  std::vector<uint8_t> good = MakeFrame(4, "rescued");
  FeedAll(d, Cat({cut, good, MakeFrame(5, "padding that completes the bad frame")}), seen);
  ASSERT_GE(seen.errors.size(), 1u);
  EXPECT_EQ(seen.errors[0].first, FrameError::kBadCrc);
  ASSERT_EQ(seen.frames.size(), 2u);
  EXPECT_EQ(seen.frames[0].first, 4u);
  EXPECT_EQ(seen.frames[0].second, "rescued");
  EXPECT_EQ(seen.frames[1].first, 5u);
}

TEST(FrameDecoder, IdleGarbageIsReportedByPollOnlyOnceBetweenGoodFrames) {
  FrameDecoder d(kKindRequest, 100);
  Seen seen;
  FeedAll(d, {'n', 'o', 'i', 's', 'e'}, seen, 0);
  PollAndDrain(d, 50, seen);
  EXPECT_TRUE(seen.errors.empty());
  PollAndDrain(d, 200, seen);
  ASSERT_EQ(seen.errors.size(), 1u);
  EXPECT_EQ(seen.errors[0].first, FrameError::kGarbage);
  EXPECT_EQ(seen.errors[0].second, 5u);
  FeedAll(d, {'m', 'o', 'r', 'e'}, seen, 300);
  PollAndDrain(d, 500, seen);
  EXPECT_EQ(seen.errors.size(), 1u);  // suppressed until a good frame
  FeedAll(d, MakeFrame(1, "x"), seen, 600);
  FeedAll(d, {'a', 'g', 'a', 'i', 'n'}, seen, 700);
  PollAndDrain(d, 900, seen);
  EXPECT_EQ(seen.errors.size(), 2u);
}

TEST(FrameDecoder, ResetDropsAPartialFrame) {
  FrameDecoder d(kKindRequest);
  std::vector<uint8_t> f = MakeFrame(3, "abc");
  Seen seen;
  FeedAll(d, std::vector<uint8_t>(f.begin(), f.begin() + 8), seen);
  EXPECT_EQ(d.Buffered(), 8u);
  d.Reset();
  EXPECT_EQ(d.Buffered(), 0u);
  FeedAll(d, f, seen);
  EXPECT_EQ(seen.frames.size(), 1u);
  EXPECT_TRUE(seen.errors.empty());
}

}  // namespace
}  // namespace pki::appliance::link
