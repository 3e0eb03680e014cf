// The same message encoded by the host's protobuf C++ runtime and by the
// appliance's nanopb must be the same bytes, and each must decode the other's.
#include <gtest/gtest.h>

#include <string>

#include "appliance/v1/link.nanopb.h"  // nanopb C (appliance)
#include "appliance/v1/link.pb.h"      // protobuf C++ (host)
#include "pb_decode.h"
#include "pb_encode.h"
#include "signer/v1/signer.pb.h"

namespace {

TEST(ProtoRoundTrip, HostToNanopbToHostSameBytes) {
  pki::appliance::v1::Response host;
  host.set_request_id(0xA1B2C3u);
  auto* st = host.mutable_status();
  st->set_state(pki::appliance::v1::LOCKED);
  st->set_firmware_version("0.1.0-test");
  st->set_journal_sequence(1234567890123ull);
  st->set_journal_head(std::string(32, '\x5a'));
  st->set_root_cert_sha256(std::string(32, '\x01'));
  st->add_custodians("alice");
  st->add_custodians("bob");
  st->set_threshold(2);
  st->set_time_lower_bound(-5);
  std::string host_bytes;
  ASSERT_TRUE(host.SerializeToString(&host_bytes));

  pki_appliance_v1_Response fw = pki_appliance_v1_Response_init_zero;
  pb_istream_t in = pb_istream_from_buffer(reinterpret_cast<const pb_byte_t*>(host_bytes.data()),
                                           host_bytes.size());
  ASSERT_TRUE(pb_decode(&in, pki_appliance_v1_Response_fields, &fw)) << PB_GET_ERROR(&in);
  EXPECT_EQ(fw.request_id, 0xA1B2C3u);
  ASSERT_EQ(fw.which_body, pki_appliance_v1_Response_status_tag);
  EXPECT_EQ(fw.body.status.state, pki_appliance_v1_DeviceState_LOCKED);
  EXPECT_STREQ(fw.body.status.firmware_version, "0.1.0-test");
  EXPECT_EQ(fw.body.status.custodians_count, 2u);
  EXPECT_STREQ(fw.body.status.custodians[1], "bob");
  EXPECT_EQ(fw.body.status.time_lower_bound, -5);

  uint8_t buf[pki_appliance_v1_Response_size];
  pb_ostream_t out = pb_ostream_from_buffer(buf, sizeof(buf));
  ASSERT_TRUE(pb_encode(&out, pki_appliance_v1_Response_fields, &fw)) << PB_GET_ERROR(&out);
  std::string fw_bytes(reinterpret_cast<const char*>(buf), out.bytes_written);
  EXPECT_EQ(fw_bytes, host_bytes);

  pki::appliance::v1::Response back;
  ASSERT_TRUE(back.ParseFromString(fw_bytes));
  EXPECT_EQ(back.status().custodians(0), "alice");
}

TEST(ProtoRoundTrip, NanopbRejectsOversizedField) {
  // A string longer than its bound in link.options is refused, not truncated.
  pki::appliance::v1::Response host;
  host.mutable_error()->set_message(std::string(500, 'x'));
  std::string bytes;
  ASSERT_TRUE(host.SerializeToString(&bytes));
  pki_appliance_v1_Response fw = pki_appliance_v1_Response_init_zero;
  pb_istream_t in =
      pb_istream_from_buffer(reinterpret_cast<const pb_byte_t*>(bytes.data()), bytes.size());
  EXPECT_FALSE(pb_decode(&in, pki_appliance_v1_Response_fields, &fw));
}

TEST(ProtoRoundTrip, SignerApiCarriesTypedDigest) {
  pki::signer::v1::SignRequest req;
  req.set_key_name("release-2026");
  req.set_algorithm(pki::signer::v1::ECDSA_P256_SHA256);
  req.mutable_digest()->set_sha256(std::string(32, '\x11'));
  req.set_input_crc32c(7);
  std::string bytes;
  ASSERT_TRUE(req.SerializeToString(&bytes));
  pki::signer::v1::SignRequest back;
  ASSERT_TRUE(back.ParseFromString(bytes));
  EXPECT_EQ(back.digest().digest_case(), pki::signer::v1::Digest::kSha256);
  EXPECT_TRUE(back.has_input_crc32c());
}

}  // namespace
