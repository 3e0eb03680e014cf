// LinkServer over the fake loopback link, with a whole appliance behind it:
// framing rules, replay cache, and recovery from every link fault.
#include "device/link_server.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "device/device_test_util.h"
#include "hw/fake/loopback_link.h"
#include "link/frame.h"
#include "link/frame_decoder.h"

namespace pki::appliance::device::testing {
namespace {

class LinkServerTest : public ::testing::Test {
 protected:
  LinkServerTest() {
    auto [host, dev] = hw::fake::LoopbackLink::CreatePair(&h_.clock());
    host_ = std::move(host);
    dev_ = std::move(dev);
    server_.emplace(h_.device(), *dev_, h_.clock(), 500);
  }

  std::vector<uint8_t> Frame(const link::Request& req) {
    std::vector<uint8_t> payload(link::kMaxPayload);
    StatusOr<size_t> n = link::EncodeRequest(payload, req);
    EXPECT_TRUE(n.ok());
    std::vector<uint8_t> f(link::kMaxFrameSize);
    StatusOr<size_t> m = link::EncodeFrame(f, link::kKindRequest, req.request_id,
                                           ByteSpan(payload.data(), *n));
    EXPECT_TRUE(m.ok());
    f.resize(*m);
    return f;
  }

  // Runs the server until the host has |count| response frames or |rounds|
  // pass; returns them (raw frames and decoded).
  std::vector<link::Response> Pump(size_t count, int rounds = 120) {
    std::vector<link::Response> out;
    for (int i = 0; i < rounds && out.size() < count; ++i) {
      server_->RunOnce(10).Ignore();
      uint8_t buf[1024];
      for (;;) {
        StatusOr<size_t> n = host_->Read(buf, 0);
        if (!n.ok() || *n == 0) break;
        raw_.insert(raw_.end(), buf, buf + *n);
        ByteSpan in(buf, *n);
        for (;;) {
          link::DecodeEvent e = decoder_.Feed(in, h_.clock().MonotonicMillis());
          in = in.subspan(e.consumed);
          if (e.type == link::DecodeEvent::Type::kFrame) {
            link::Response r;
            EXPECT_TRUE(link::DecodeResponse(&r, e.frame.payload).ok());
            EXPECT_EQ(r.request_id, e.frame.request_id);
            out.push_back(r);
          }
          if (e.type == link::DecodeEvent::Type::kNeedMore && in.empty()) break;
        }
      }
    }
    return out;
  }

  static link::Request Status(uint32_t id) {
    link::Request r = Harness::GetStatus();
    r.request_id = id;
    return r;
  }

  Harness h_;
  std::unique_ptr<hw::fake::LoopbackLink> host_, dev_;
  std::optional<LinkServer> server_;
  link::FrameDecoder decoder_{link::kKindResponse};
  std::vector<uint8_t> raw_;
};

TEST_F(LinkServerTest, AnswersGetStatusWithTheSameRequestId) {
  host_->SetReadChunk(0);
  dev_->SetReadChunk(3);  // the device reads in tiny pieces
  ASSERT_TRUE(host_->WriteAll(Frame(Status(41))).ok());
  auto r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].request_id, 41u);
  EXPECT_EQ(r[0].which_body, pki_appliance_v1_Response_status_tag);
}

TEST_F(LinkServerTest, RepeatedIdGetsTheCachedFrameByteForByte) {
  std::vector<Custodian> cs = Harness::ThreeCustodians();
  // SetTime before Init changes state: a replay must not redo it.
  link::Request set = pki_appliance_v1_Request_init_zero;
  set.request_id = 7;
  set.which_body = pki_appliance_v1_Request_set_time_tag;
  set.body.set_time.unix_seconds = kStartTime + 100;
  ASSERT_TRUE(host_->WriteAll(Frame(set)).ok());
  ASSERT_EQ(Pump(1).size(), 1u);
  std::vector<uint8_t> first = raw_;
  raw_.clear();
  uint64_t journal_before = h_.Call(Harness::GetStatus()).body.status.journal_sequence;
  ASSERT_TRUE(host_->WriteAll(Frame(set)).ok());
  ASSERT_EQ(Pump(1).size(), 1u);
  EXPECT_EQ(raw_, first);
  EXPECT_EQ(server_->stats().replays, 1u);
  EXPECT_EQ(h_.Call(Harness::GetStatus()).body.status.journal_sequence, journal_before);
  // Same id, another request: refused, not answered from the cache.
  set.body.set_time.unix_seconds = kStartTime + 200;
  ASSERT_TRUE(host_->WriteAll(Frame(set)).ok());
  auto r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(ErrorOf(r[0]), pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(h_.Call(Harness::GetStatus()).body.status.time_lower_bound, kStartTime + 100);
}

// A large answer (Init's wrapped shares: too big for the older entries)
// stays the last cached answer across an uncached error (a bad frame): a
// resend still gets it byte for byte and Init is not done again.
TEST_F(LinkServerTest, UncachedErrorsDoNotEvictTheLastAnswer) {
  std::vector<Custodian> cs = Harness::ThreeCustodians();
  link::Request init = Harness::Init(cs, 2);
  init.request_id = 9;
  const std::vector<uint8_t> init_frame = Frame(init);
  ASSERT_TRUE(host_->WriteAll(init_frame).ok());
  auto r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(r[0].which_body, pki_appliance_v1_Response_init_tag) << MessageOf(r[0]);
  const std::vector<uint8_t> first = raw_;
  ASSERT_GT(first.size(), size_t{PKI_LINK_OLDER_RESPONSE_BYTES});
  raw_.clear();
  std::vector<uint8_t> bad = Frame(Status(10));
  bad.back() ^= 0x01;  // bad CRC: BAD_FRAME for id 0, not cached
  ASSERT_TRUE(host_->WriteAll(bad).ok());
  r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(ErrorOf(r[0]), pki_appliance_v1_ErrorCode_ERROR_BAD_FRAME);
  raw_.clear();
  ASSERT_TRUE(host_->WriteAll(init_frame).ok());
  ASSERT_EQ(Pump(1).size(), 1u);
  EXPECT_EQ(raw_, first);
  EXPECT_EQ(server_->stats().replays, 1u);
}

// A retry of an earlier id (the host sent another request in between) gets
// that id's own cached answer byte for byte, and it is not done again.
TEST_F(LinkServerTest, RetryOfAnEarlierIdGetsItsOwnCachedAnswer) {
  link::Request set = pki_appliance_v1_Request_init_zero;
  set.request_id = 7;
  set.which_body = pki_appliance_v1_Request_set_time_tag;
  set.body.set_time.unix_seconds = kStartTime + 100;
  ASSERT_TRUE(host_->WriteAll(Frame(set)).ok());
  ASSERT_EQ(Pump(1).size(), 1u);
  const std::vector<uint8_t> first = raw_;
  raw_.clear();
  link::Request status = pki_appliance_v1_Request_init_zero;
  status.request_id = 8;
  status.which_body = pki_appliance_v1_Request_get_status_tag;
  ASSERT_TRUE(host_->WriteAll(Frame(status)).ok());
  auto r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  const uint64_t journal_before = r[0].body.status.journal_sequence;
  raw_.clear();
  ASSERT_TRUE(host_->WriteAll(Frame(set)).ok());
  ASSERT_EQ(Pump(1).size(), 1u);
  EXPECT_EQ(raw_, first);
  EXPECT_EQ(server_->stats().replays, 1u);
  EXPECT_EQ(h_.Call(Harness::GetStatus()).body.status.journal_sequence, journal_before);
}

// The decoder holds a frame of the largest encoded Request and no more: a
// payload of exactly that size reaches the codec (BAD_MESSAGE with its id:
// it is not a Request), one byte more is refused from the header
// (BAD_FRAME, id 0, naming the length), and the link answers afterwards.
TEST_F(LinkServerTest, RequestPayloadAboveTheLargestRequestIsABadFrame) {
  std::vector<uint8_t> frame(link::kMaxFrameSize);
  std::vector<uint8_t> payload(link::kMaxRequestPayload, 0xff);
  StatusOr<size_t> n = link::EncodeFrame(frame, link::kKindRequest, 31, payload);
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(host_->WriteAll(ByteSpan(frame.data(), *n)).ok());
  auto r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].request_id, 31u);
  EXPECT_EQ(ErrorOf(r[0]), pki_appliance_v1_ErrorCode_ERROR_BAD_MESSAGE);
  payload.push_back(0xff);
  n = link::EncodeFrame(frame, link::kKindRequest, 32, payload);
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(host_->WriteAll(ByteSpan(frame.data(), *n)).ok());
  ASSERT_TRUE(host_->WriteAll(Frame(Status(33))).ok());
  r = Pump(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].request_id, link::kUnattributedRequestId);
  EXPECT_EQ(ErrorOf(r[0]), pki_appliance_v1_ErrorCode_ERROR_BAD_FRAME);
  EXPECT_NE(MessageOf(r[0]).find(std::to_string(link::kMaxRequestPayload + 1)), std::string::npos)
      << MessageOf(r[0]);
  EXPECT_EQ(r[1].request_id, 33u);
  EXPECT_EQ(r[1].which_body, pki_appliance_v1_Response_status_tag);
}

TEST_F(LinkServerTest, EveryLinkFaultGetsAClearErrorAndTheLinkRecovers) {
  // Garbage.
  ASSERT_TRUE(host_->WriteAll(AsBytes("hello appliance")).ok());
  auto r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].request_id, 0u);
  EXPECT_EQ(ErrorOf(r[0]), pki_appliance_v1_ErrorCode_ERROR_BAD_FRAME);
  EXPECT_NE(MessageOf(r[0]).find("garbage"), std::string::npos);
  // A good frame resets the garbage report limit.
  ASSERT_TRUE(host_->WriteAll(Frame(Status(1))).ok());
  ASSERT_EQ(Pump(1)[0].which_body, pki_appliance_v1_Response_status_tag);
  // Corrupted frame: bad CRC.
  host_->InjectFault(hw::fake::LinkFault::kCorrupt, 12);
  ASSERT_TRUE(host_->WriteAll(Frame(Status(2))).ok());
  r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(MessageOf(r[0]).find("CRC"), std::string::npos);
  // Truncated frame: answered after the inter-byte timeout.
  host_->InjectFault(hw::fake::LinkFault::kTruncate, 9);
  ASSERT_TRUE(host_->WriteAll(Frame(Status(3))).ok());
  r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(ErrorOf(r[0]), pki_appliance_v1_ErrorCode_ERROR_BAD_FRAME);
  EXPECT_NE(MessageOf(r[0]).find("truncated"), std::string::npos);
  // Duplicated frame: the second copy is a replay.
  host_->InjectFault(hw::fake::LinkFault::kDuplicate);
  ASSERT_TRUE(host_->WriteAll(Frame(Status(4))).ok());
  r = Pump(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].request_id, 4u);
  EXPECT_EQ(r[1].request_id, 4u);
  // A payload that is not a Request: BAD_MESSAGE with the frame's id.
  std::vector<uint8_t> junk(link::kMaxFrameSize);
  const uint8_t bad[] = {0xff, 0xff, 0xff};
  StatusOr<size_t> n = link::EncodeFrame(junk, link::kKindRequest, 5, bad);
  junk.resize(*n);
  ASSERT_TRUE(host_->WriteAll(junk).ok());
  r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].request_id, 5u);
  EXPECT_EQ(ErrorOf(r[0]), pki_appliance_v1_ErrorCode_ERROR_BAD_MESSAGE);
  // Pulled cable mid-frame, then a clean request.
  host_->InjectFault(hw::fake::LinkFault::kTruncate, 20);
  ASSERT_TRUE(host_->WriteAll(Frame(Status(6))).ok());
  host_->Disconnect();
  Pump(0, 3);
  ASSERT_TRUE(host_->WriteAll(Frame(Status(8))).ok());
  r = Pump(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].request_id, 8u);
  EXPECT_EQ(r[0].which_body, pki_appliance_v1_Response_status_tag);
}

}  // namespace
}  // namespace pki::appliance::device::testing
