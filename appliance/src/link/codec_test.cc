#include "link/codec.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "link/frame.h"

namespace pki::appliance::link {
namespace {

TEST(Codec, RequestRoundTripsThroughNanopb) {
  Request req = pki_appliance_v1_Request_init_zero;
  req.request_id = 77;
  req.which_body = pki_appliance_v1_Request_submit_share_tag;
  auto& s = req.body.submit_share;
  std::strcpy(s.custodian, "alice");
  s.nonce.size = 16;
  std::memset(s.nonce.bytes, 0x42, 16);
  std::vector<uint8_t> buf(kMaxPayload);
  StatusOr<size_t> n = EncodeRequest(buf, req);
  ASSERT_TRUE(n.ok()) << n.status().message();
  Request back;
  ASSERT_TRUE(DecodeRequest(&back, ByteSpan(buf.data(), *n)).ok());
  EXPECT_EQ(back.request_id, 77u);
  ASSERT_EQ(back.which_body, pki_appliance_v1_Request_submit_share_tag);
  EXPECT_STREQ(back.body.submit_share.custodian, "alice");
  EXPECT_EQ(back.body.submit_share.nonce.size, 16u);
}

// The link's buffers are sized by nanopb's generated bounds (frame.h:
// kMaxRequestPayload, kMaxResponsePayload). The bounds are tight: a Request
// and a Response with every field at its largest encode to exactly that
// many bytes, and decode back.
TEST(Codec, LargestRequestAndResponseEncodeToExactlyTheGeneratedBounds) {
  Request req = pki_appliance_v1_Request_init_zero;
  req.request_id = 0xFFFFFFFFu;
  req.which_body = pki_appliance_v1_Request_begin_operation_tag;
  auto& begin = req.body.begin_operation;
  begin.which_params = pki_appliance_v1_BeginOperationRequest_sign_intermediate_tag;
  auto& si = begin.params.sign_intermediate;
  si.csr_der.size = sizeof(si.csr_der.bytes);
  std::memset(si.csr_der.bytes, 0x30, sizeof(si.csr_der.bytes));
  si.has_profile = true;
  auto& prof = si.profile;
  std::memset(prof.name, 'n', sizeof(prof.name) - 1);
  prof.validity_days = 0xFFFFFFFFu;
  prof.path_len = -1;  // a negative int32 is a 10-byte varint
  prof.permitted_dns_count = 8;
  prof.excluded_dns_count = 8;
  for (int i = 0; i < 8; ++i) {
    std::memset(prof.permitted_dns[i], 'p', sizeof(prof.permitted_dns[i]) - 1);
    std::memset(prof.excluded_dns[i], 'x', sizeof(prof.excluded_dns[i]) - 1);
  }
  std::vector<uint8_t> buf(kMaxPayload);
  StatusOr<size_t> n = EncodeRequest(buf, req);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, kMaxRequestPayload);
  Request back;
  ASSERT_TRUE(DecodeRequest(&back, ByteSpan(buf.data(), *n)).ok());
  EXPECT_EQ(back.body.begin_operation.params.sign_intermediate.csr_der.size, 4096u);

  Response resp = pki_appliance_v1_Response_init_zero;
  resp.request_id = 0xFFFFFFFFu;
  resp.which_body = pki_appliance_v1_Response_journal_chunk_tag;
  auto& chunk = resp.body.journal_chunk;
  chunk.first_sequence = ~uint64_t{0};
  chunk.next_sequence = ~uint64_t{0};
  chunk.data.size = sizeof(chunk.data.bytes);
  std::memset(chunk.data.bytes, 0xAB, sizeof(chunk.data.bytes));
  chunk.last = true;
  chunk.head_sha256.size = sizeof(chunk.head_sha256.bytes);
  n = EncodeResponse(buf, resp);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, kMaxResponsePayload);
  Response rback;
  ASSERT_TRUE(DecodeResponse(&rback, ByteSpan(buf.data(), *n)).ok());
  EXPECT_EQ(rback.body.journal_chunk.data.size, 4096u);
  // Nothing larger fits the generated structs: the buffers cannot be short.
  static_assert(kMaxRequestFrameSize == kHeaderSize + pki_appliance_v1_Request_size + kCrcSize);
  static_assert(kMaxResponseFrameSize == kHeaderSize + pki_appliance_v1_Response_size + kCrcSize);
}

TEST(Codec, UndecodablePayloadIsInvalidArgumentAndLeavesAZeroStruct) {
  Request out;
  std::memset(&out, 0x77, sizeof(out));
  const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01};
  Status s = DecodeRequest(&out, junk);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("undecodable request"), std::string_view::npos);
  Request zero;
  std::memset(&zero, 0, sizeof(zero));
  EXPECT_EQ(std::memcmp(&out, &zero, sizeof(out)), 0);
}

TEST(Codec, FieldAboveItsBoundIsRefused) {
  // custodian (field 2 of SubmitShareRequest) is bounded to 31 characters.
  std::vector<uint8_t> p = {0x08, 0x01, 0x72 /* field 14, LEN */, 0, 0x12, 40};
  p.insert(p.end(), 40, 'a');
  p[3] = static_cast<uint8_t>(p.size() - 4);
  Request out;
  EXPECT_EQ(DecodeRequest(&out, p).code(), StatusCode::kInvalidArgument);
}

TEST(Codec, EncodeIntoTooSmallBufferIsInternal) {
  Response r = pki_appliance_v1_Response_init_zero;
  r.request_id = 1;
  r.which_body = pki_appliance_v1_Response_error_tag;
  std::strcpy(r.body.error.message, "a message that will not fit");
  uint8_t tiny[4];
  EXPECT_EQ(EncodeResponse(tiny, r).status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace pki::appliance::link
