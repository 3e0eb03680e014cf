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
