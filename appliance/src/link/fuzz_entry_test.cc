#include "link/fuzz_entry.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "link/codec.h"
#include "link/frame.h"

namespace pki::appliance::link {
namespace {

std::vector<uint8_t> RequestFrame(uint32_t id) {
  Request req = pki_appliance_v1_Request_init_zero;
  req.request_id = id;
  req.which_body = pki_appliance_v1_Request_get_status_tag;
  std::vector<uint8_t> payload(kMaxPayload);
  StatusOr<size_t> n = EncodeRequest(payload, req);
  EXPECT_TRUE(n.ok());
  std::vector<uint8_t> frame(kMaxFrameSize);
  StatusOr<size_t> f = EncodeFrame(frame, kKindRequest, id, ByteSpan(payload.data(), *n));
  EXPECT_TRUE(f.ok());
  frame.resize(*f);
  return frame;
}

TEST(FuzzEntry, FindsFramesInAScriptedStream) {
  std::vector<uint8_t> data = {3};  // chunks of 4 bytes
  for (uint32_t id = 1; id <= 3; ++id) {
    auto f = RequestFrame(id);
    data.insert(data.end(), f.begin(), f.end());
    data.push_back(0x00);  // a garbage byte between frames
  }
  auto half = RequestFrame(9);
  data.insert(data.end(), half.begin(), half.begin() + 6);  // truncated at the end
  FuzzDecodeSummary s = DecodeFramesForFuzzing(data);
  EXPECT_EQ(s.frames, 3u);
  EXPECT_EQ(s.decoded_requests, 3u);
  EXPECT_GE(s.errors, 1u);  // at least the truncation
}

TEST(FuzzEntry, SurvivesRandomInputAndIsDeterministic) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> data(static_cast<size_t>(rng() % 9000));
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    // Sprinkle sync bytes and plausible headers so the header paths run.
    for (size_t i = 0; i + 6 < data.size(); i += 97) {
      data[i] = kSync0;
      data[i + 1] = kSync1;
      data[i + 2] = kVersion;
      data[i + 3] = kKindRequest;
    }
    FuzzDecodeSummary a = DecodeFramesForFuzzing(data);
    FuzzDecodeSummary b = DecodeFramesForFuzzing(data);
    EXPECT_EQ(a.frames, b.frames);
    EXPECT_EQ(a.errors, b.errors);
  }
  EXPECT_EQ(DecodeFramesForFuzzing(ByteSpan()).frames, 0u);
}

}  // namespace
}  // namespace pki::appliance::link
