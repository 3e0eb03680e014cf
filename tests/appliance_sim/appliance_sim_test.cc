// appliance-sim over its real unix-socket link, checked with openssl.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "link_client/link_client.h"
#include "sim_process.h"

namespace pki::testing {
namespace {

using appliance::v1::Request;
using appliance::v1::Response;
using host_agent::LinkClient;
using ::testing::HasSubstr;

Request StatusReq() {
  Request r;
  r.mutable_get_status();
  return r;
}

class ApplianceSim : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sim_.ok());
    auto c = LinkClient::ConnectUnix(sim_.socket_path());
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(*c);
  }
  Response Call(const Request& r) {
    StatusOr<Response> resp = client_->Call(r);
    EXPECT_TRUE(resp.ok()) << resp.status().message();
    return resp.ok() ? *resp : Response();
  }
  std::string FetchAll() {
    std::string out;
    for (int i = 0; i < 10; ++i) {
      Request r;
      r.mutable_fetch_result()->set_offset(static_cast<uint32_t>(out.size()));
      Response c = Call(r);
      EXPECT_TRUE(c.has_result_chunk()) << c.DebugString();
      out += c.result_chunk().data();
      if (c.result_chunk().last()) break;
    }
    return out;
  }
  std::string WriteFile(const std::string& name, const std::string& bytes) {
    std::string path = sim_.dir() + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  SimProcess sim_;
  std::unique_ptr<LinkClient> client_;
};

TEST_F(ApplianceSim, GetStatusOverTheLink) {
  Response r = Call(StatusReq());
  ASSERT_TRUE(r.has_status()) << r.DebugString();
  EXPECT_EQ(r.status().state(), appliance::v1::UNPROVISIONED);
  EXPECT_EQ(r.status().device_id(), "appliance-sim");
  EXPECT_EQ(r.status().boot_count(), 1u);
  EXPECT_FALSE(r.status().audit_public_key().empty());
}

TEST_F(ApplianceSim, ReplayedRequestIdReturnsTheCachedResponse) {
  Request r;
  r.set_request_id(77);
  r.mutable_set_time()->set_unix_seconds(1'800'000'000);
  std::string payload;
  ASSERT_TRUE(r.SerializeToString(&payload));
  std::vector<uint8_t> frame = host_agent::EncodeLinkFrame(77, payload);
  std::vector<uint8_t> first, second;
  uint64_t seq = Call(StatusReq()).status().journal_sequence();
  ASSERT_TRUE(client_->WriteRaw(frame).ok());
  StatusOr<Response> a = client_->ReadFrame(5000, &first);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->has_set_time()) << a->DebugString();
  // The retry comes before any other request (the appliance caches the last
  // response only).
  ASSERT_TRUE(client_->WriteRaw(frame).ok());
  StatusOr<Response> b = client_->ReadFrame(5000, &second);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(first, second);  // byte for byte
  // Journaled once (SetTime), not twice.
  EXPECT_EQ(Call(StatusReq()).status().journal_sequence(), seq + 1);
}

TEST_F(ApplianceSim, GarbageAndTruncatedFramesGetErrorsAndTheLinkStaysUp) {
  ASSERT_TRUE(client_->WriteRaw({'n', 'o', 'i', 's', 'e', '\n'}).ok());
  StatusOr<Response> g = client_->ReadFrame(5000);
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->request_id(), 0u);
  EXPECT_EQ(g->error().code(), appliance::v1::ERROR_BAD_FRAME);
  EXPECT_THAT(g->error().message(), HasSubstr("garbage"));
  EXPECT_TRUE(Call(StatusReq()).has_status());

  Request r = StatusReq();
  r.set_request_id(900);
  std::string payload;
  ASSERT_TRUE(r.SerializeToString(&payload));
  std::vector<uint8_t> frame = host_agent::EncodeLinkFrame(900, payload);
  frame.resize(frame.size() - 3);  // cut the CRC short
  ASSERT_TRUE(client_->WriteRaw(frame).ok());
  StatusOr<Response> t = client_->ReadFrame(5000);  // after the 300 ms inter-byte timeout
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->request_id(), 0u);
  EXPECT_EQ(t->error().code(), appliance::v1::ERROR_BAD_FRAME);
  EXPECT_THAT(t->error().message(), HasSubstr("truncated"));
  EXPECT_TRUE(Call(StatusReq()).has_status());

  // A client that hangs up mid-frame does not wedge the appliance.
  ASSERT_TRUE(client_->WriteRaw({0xA5, 0x5A, 1, 1, 0}).ok());
  client_.reset();
  auto c = LinkClient::ConnectUnix(sim_.socket_path());
  ASSERT_TRUE(c.ok());
  client_ = std::move(*c);
  EXPECT_TRUE(Call(StatusReq()).has_status());
}

TEST_F(ApplianceSim, InitThenSignAnIntermediateAndIssueTheCrlVerifiedByOpenssl) {
  struct Cust { std::string name, pass, wrapped; };
  std::vector<Cust> cs = {{"alice", "correct horse battery", ""},
                          {"bob", "tr0ub4dor&3 staple", ""},
                          {"carol", "purple monkey dishwasher", ""}};
  Request init;
  auto* in = init.mutable_init();
  in->set_algorithm(appliance::v1::EC_P384);
  in->set_subject("C=DE,O=Example,CN=Example Root CA R1");
  in->set_validity_days(3650);
  in->set_threshold(2);
  for (auto& c : cs) {
    auto* x = in->add_custodians();
    x->set_name(c.name);
    x->set_passphrase(c.pass);
  }
  Response ir = Call(init);
  ASSERT_TRUE(ir.has_init()) << ir.DebugString();
  ASSERT_EQ(ir.init().shares_size(), 3);
  for (int i = 0; i < 3; ++i) cs[static_cast<size_t>(i)].wrapped = ir.init().shares(i).wrapped();
  std::string root = WriteFile("root.der", FetchAll());
  // Each custodian re-enters their share: the last confirmation commits.
  for (const auto& c : cs) {
    Request conf;
    conf.mutable_confirm_share()->set_custodian(c.name);
    conf.mutable_confirm_share()->set_wrapped_share(c.wrapped);
    conf.mutable_confirm_share()->set_passphrase(c.pass);
    Response cr = Call(conf);
    ASSERT_TRUE(cr.has_confirm_share()) << cr.DebugString();
    EXPECT_EQ(cr.confirm_share().committed(), &c == &cs.back());
  }
  std::string out;
  ASSERT_EQ(RunCommand("openssl x509 -inform DER -in " + root + " -out " + sim_.dir() +
                           "/root.pem && openssl x509 -in " + sim_.dir() + "/root.pem -noout -subject",
                       &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("CN = Example Root CA R1"));
  ASSERT_EQ(RunCommand("openssl verify -CAfile " + sim_.dir() + "/root.pem " + sim_.dir() + "/root.pem", &out), 0) << out;

  // A CSR from the online side, made by openssl.
  std::string key = sim_.dir() + "/inter.key", csr = sim_.dir() + "/inter.csr.der";
  ASSERT_EQ(RunCommand("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                           key + " -subj '/O=Example/CN=Example Issuing CA 1' -outform DER -out " + csr,
                       &out), 0) << out;
  std::ifstream cin(csr, std::ios::binary);
  std::stringstream csr_bytes;
  csr_bytes << cin.rdbuf();

  Request begin;
  auto* si = begin.mutable_begin_operation()->mutable_sign_intermediate();
  si->set_csr_der(csr_bytes.str());
  si->mutable_profile()->set_name("issuing-tls");
  si->mutable_profile()->set_validity_days(1825);
  si->mutable_profile()->set_path_len(0);
  si->mutable_profile()->add_permitted_dns("example.com");
  Response br = Call(begin);
  ASSERT_TRUE(br.has_begin_operation()) << br.DebugString();
  const auto& bo = br.begin_operation();
  EXPECT_EQ(bo.shares_needed(), 2u);
  // The appliance's own screen shows the digest people compare.
  std::string screen = sim_.ReadDisplay();
  EXPECT_THAT(screen, HasSubstr("SIGN INTERMEDIATE"));
  std::string first_words = bo.pgp_words().substr(0, bo.pgp_words().find(' ', 20));
  EXPECT_THAT(screen, HasSubstr(first_words));
  // The exact TBS is fetchable before any share is entered.
  std::string tbs = FetchAll();
  EXPECT_GT(tbs.size(), 200u);

  for (int i : {0, 2}) {
    Request s;
    auto* ss = s.mutable_submit_share();
    ss->set_nonce(bo.nonce());
    ss->set_custodian(cs[static_cast<size_t>(i)].name);
    ss->set_wrapped_share(cs[static_cast<size_t>(i)].wrapped);
    ss->set_passphrase(cs[static_cast<size_t>(i)].pass);
    Response sr = Call(s);
    ASSERT_TRUE(sr.has_submit_share()) << sr.DebugString();
  }
  EXPECT_EQ(Call(StatusReq()).status().state(), appliance::v1::UNLOCKED);
  Request ex;
  ex.mutable_execute()->set_nonce(bo.nonce());
  Response er = Call(ex);
  ASSERT_TRUE(er.has_execute()) << er.DebugString();
  EXPECT_EQ(Call(StatusReq()).status().state(), appliance::v1::LOCKED);
  std::string inter = WriteFile("inter.der", FetchAll());
  ASSERT_EQ(RunCommand("openssl x509 -inform DER -in " + inter + " -out " + sim_.dir() + "/inter.pem", &out), 0) << out;
  ASSERT_EQ(RunCommand("openssl verify -CAfile " + sim_.dir() + "/root.pem " + sim_.dir() + "/inter.pem", &out), 0) << out;
  ASSERT_EQ(RunCommand("openssl x509 -in " + sim_.dir() + "/inter.pem -noout -text", &out), 0);
  EXPECT_THAT(out, HasSubstr("Example Issuing CA 1"));
  EXPECT_THAT(out, HasSubstr("pathlen:0"));
  EXPECT_THAT(out, HasSubstr("example.com"));

  // The root CRL, by another pair of custodians.
  Request crl_begin;
  crl_begin.mutable_begin_operation()->mutable_issue_crl()->set_next_update_days(30);
  Response cb = Call(crl_begin);
  ASSERT_TRUE(cb.has_begin_operation()) << cb.DebugString();
  for (int i : {1, 2}) {
    Request s;
    auto* ss = s.mutable_submit_share();
    ss->set_nonce(cb.begin_operation().nonce());
    ss->set_custodian(cs[static_cast<size_t>(i)].name);
    ss->set_wrapped_share(cs[static_cast<size_t>(i)].wrapped);
    ss->set_passphrase(cs[static_cast<size_t>(i)].pass);
    ASSERT_TRUE(Call(s).has_submit_share());
  }
  Request cx;
  cx.mutable_execute()->set_nonce(cb.begin_operation().nonce());
  ASSERT_TRUE(Call(cx).has_execute());
  std::string crl = WriteFile("root.crl", FetchAll());
  ASSERT_EQ(RunCommand("openssl crl -inform DER -in " + crl + " -CAfile " + sim_.dir() +
                           "/root.pem -noout -text", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("verify OK"));
  EXPECT_THAT(out, HasSubstr("X509v3 CRL Number"));

  // State survives a restart; the appliance comes back LOCKED.
  EXPECT_EQ(sim_.Stop(), 0);
}

// SignTranscript and GetRootCertificate over the real link; the transcript
// signature is checked with `openssl dgst -verify` over the documented
// message "pki-transcript-v1" || digest (docs/appliance-link.md).
TEST_F(ApplianceSim, SignTranscriptVerifiedByOpensslAndRootCertificateOverTheLink) {
  const std::string digest(32, '\x5a');
  Request sign;
  sign.mutable_sign_transcript()->set_transcript_sha256(digest);
  Response early = Call(sign);
  ASSERT_TRUE(early.has_error()) << early.DebugString();
  EXPECT_EQ(early.error().code(), appliance::v1::ERROR_FAILED_PRECONDITION);
  Request root_req;
  root_req.mutable_get_root_certificate();
  EXPECT_EQ(Call(root_req).error().code(), appliance::v1::ERROR_FAILED_PRECONDITION);

  Request init;
  auto* in = init.mutable_init();
  in->set_algorithm(appliance::v1::EC_P256);
  in->set_subject("C=DE,O=Example,CN=Example Root CA R2");
  in->set_validity_days(3650);
  in->set_threshold(2);
  for (const char* n : {"alice", "bob"}) {
    auto* x = in->add_custodians();
    x->set_name(n);
    x->set_passphrase(std::string(n) + " passphrase long enough");
  }
  Response ir = Call(init);
  ASSERT_TRUE(ir.has_init());
  const std::string fetched = FetchAll();
  for (int i = 0; i < 2; ++i) {
    Request conf;
    conf.mutable_confirm_share()->set_custodian(in->custodians(i).name());
    conf.mutable_confirm_share()->set_wrapped_share(ir.init().shares(i).wrapped());
    conf.mutable_confirm_share()->set_passphrase(in->custodians(i).passphrase());
    ASSERT_TRUE(Call(conf).has_confirm_share());
  }
  const uint64_t seq_before = Call(StatusReq()).status().journal_sequence();

  Response signed_resp = Call(sign);
  ASSERT_TRUE(signed_resp.has_sign_transcript()) << signed_resp.DebugString();
  const auto& st = signed_resp.sign_transcript();
  EXPECT_EQ(st.audit_public_key(), Call(StatusReq()).status().audit_public_key());
  EXPECT_GE(st.journal_sequence(), seq_before);
  EXPECT_GT(Call(StatusReq()).status().journal_sequence(), seq_before);
  const std::string dir = sim_.dir() + "/";
  WriteFile("audit.der", st.audit_public_key());
  WriteFile("sig.der", st.signature());
  WriteFile("m.bin", "pki-transcript-v1" + digest);
  WriteFile("bare.bin", digest);
  std::string out;
  ASSERT_EQ(RunCommand("openssl pkey -pubin -inform DER -in " + dir + "audit.der -out " + dir + "audit.pem", &out), 0)
      << out;
  EXPECT_EQ(RunCommand("openssl dgst -sha256 -verify " + dir + "audit.pem -signature " + dir + "sig.der " + dir +
                           "m.bin", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Verified OK"));
  EXPECT_NE(RunCommand("openssl dgst -sha256 -verify " + dir + "audit.pem -signature " + dir + "sig.der " + dir +
                           "bare.bin", &out), 0) << out;

  // A wrong-sized digest is refused by name.
  Request bad;
  bad.mutable_sign_transcript()->set_transcript_sha256(std::string(31, 'x'));
  Response br = Call(bad);
  ASSERT_TRUE(br.has_error());
  EXPECT_EQ(br.error().code(), appliance::v1::ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(br.error().message(), HasSubstr("transcript_sha256"));

  // The root certificate, fetched by its own request, is the Init result.
  Response rr = Call(root_req);
  ASSERT_TRUE(rr.has_root_certificate()) << rr.DebugString();
  EXPECT_EQ(rr.root_certificate().der(), fetched);
}

}  // namespace
}  // namespace pki::testing
