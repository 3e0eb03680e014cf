// Device and dispatcher on fakes, with the real DRBG, custody, journal and
// CA engine: the state machine, quorum sessions, journaling and tamper.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>

#include "ca/ca_certificate.h"
#include "crypto/digest.h"
#include "device/device_record.h"
#include "device/device_test_util.h"
#include "device/operation_engine.h"
#include "device/revocations.h"
#include "pb_encode.h"

namespace pki::appliance::device::testing {
namespace {

using ::testing::HasSubstr;

pki_appliance_v1_DeviceState StateOf(Harness& h) {
  link::Response r = h.Call(Harness::GetStatus());
  EXPECT_EQ(r.which_body, pki_appliance_v1_Response_status_tag);
  return r.body.status.state;
}

std::string Hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

TEST(Device, FreshDeviceIsUnprovisionedAndCountsBoots) {
  Harness h;
  link::Response r = h.Call(Harness::GetStatus());
  ASSERT_EQ(r.which_body, pki_appliance_v1_Response_status_tag);
  EXPECT_EQ(r.body.status.state, pki_appliance_v1_DeviceState_UNPROVISIONED);
  EXPECT_EQ(r.body.status.boot_count, 1u);
  EXPECT_STREQ(r.body.status.device_id, "test-appliance-1");
  EXPECT_FALSE(r.body.status.production_build);
  EXPECT_GT(r.body.status.audit_public_key.size, 60u);
  EXPECT_GE(r.body.status.journal_sequence, 1u);  // the boot record
  ASSERT_TRUE(h.PowerCycle().ok());
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.boot_count, 2u);
}

TEST(Device, SetTimeBeforeInitNeverBackwards) {
  Harness h;
  link::Request r = pki_appliance_v1_Request_init_zero;
  r.request_id = 1;
  r.which_body = pki_appliance_v1_Request_set_time_tag;
  r.body.set_time.unix_seconds = kStartTime + 1000;
  link::Response ok = h.Call(r);
  ASSERT_EQ(ok.which_body, pki_appliance_v1_Response_set_time_tag) << MessageOf(ok);
  EXPECT_EQ(ok.body.set_time.time_lower_bound, kStartTime + 1000);
  r.body.set_time.unix_seconds = kStartTime;
  link::Response back = h.Call(r);
  EXPECT_EQ(ErrorOf(back), pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(MessageOf(back), HasSubstr("backwards"));
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.time_lower_bound, kStartTime + 1000);
}

TEST(Device, BadInitChangesNothingThenGoodInitProvisions) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  link::Request bad = Harness::Init(cs, 1);
  EXPECT_EQ(ErrorOf(h.Call(bad)), pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT);
  auto short_pass = cs;
  short_pass[1].passphrase = "short";
  link::Response sp = h.Call(Harness::Init(short_pass, 2));
  EXPECT_EQ(ErrorOf(sp), pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(MessageOf(sp), HasSubstr("bob"));
  link::Request no_subject = Harness::Init(cs, 2, "");
  EXPECT_EQ(ErrorOf(h.Call(no_subject)), pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(StateOf(h), pki_appliance_v1_DeviceState_UNPROVISIONED);

  link::Response init = h.Provision(cs, 2);
  ASSERT_EQ(init.which_body, pki_appliance_v1_Response_init_tag) << MessageOf(init);
  EXPECT_EQ(init.body.init.shares_count, 3u);
  link::Response st = h.Call(Harness::GetStatus());
  EXPECT_EQ(st.body.status.state, pki_appliance_v1_DeviceState_LOCKED);
  EXPECT_EQ(st.body.status.threshold, 2u);
  ASSERT_EQ(st.body.status.custodians_count, 3u);
  EXPECT_STREQ(st.body.status.custodians[2], "carol");

  std::vector<uint8_t> cert = h.FetchAll();
  ASSERT_EQ(cert.size(), init.body.init.root_cert_size);
  crypto::Sha256Digest d = crypto::Sha256(cert);
  EXPECT_EQ(0, std::memcmp(d.data(), init.body.init.root_cert_sha256.bytes, 32));
  StatusOr<ca::CaCertificate> root = ca::CaCertificate::Parse(cert);
  ASSERT_TRUE(root.ok()) << root.status().message();
  EXPECT_TRUE(root->VerifySelfSigned().ok());
  EXPECT_EQ(root->not_before(), kStartTime);
  // The display showed the root's fingerprint.
  EXPECT_THAT(h.display().Current(), HasSubstr(Hex(d.data(), 4)));
  // No second Init; the root key never leaves sealed.
  EXPECT_EQ(ErrorOf(h.Call(Harness::Init(cs, 2))),
            pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  uint8_t sealed[4096];
  StatusOr<size_t> n = h.storage().Read(kSealedRootKeyKey, sealed);
  ASSERT_TRUE(n.ok());
  EXPECT_GT(*n, 60u);
}

class Provisioned : public ::testing::Test {
 protected:
  void SetUp() override {
    cs_ = Harness::ThreeCustodians();
    link::Response r = h_.Provision(cs_, 2);
    ASSERT_EQ(r.which_body, pki_appliance_v1_Response_init_tag) << MessageOf(r);
  }
  Harness h_;
  std::vector<Custodian> cs_;
};

TEST_F(Provisioned, QuorumSetTimeShowsTheRequestDigestAndNeedsMShares) {
  const int64_t t = kStartTime + 86400;
  link::Request begin = Harness::BeginSetTime(t);
  link::Response b = h_.Call(begin);
  ASSERT_EQ(b.which_body, pki_appliance_v1_Response_begin_operation_tag) << MessageOf(b);
  const auto& bo = b.body.begin_operation;
  EXPECT_EQ(bo.shares_needed, 2u);
  EXPECT_EQ(bo.nonce.size, 16u);
  // The digest is SHA-256 of the encoded BeginOperationRequest.
  uint8_t enc[pki_appliance_v1_BeginOperationRequest_size];
  pb_ostream_t os = pb_ostream_from_buffer(enc, sizeof(enc));
  ASSERT_TRUE(pb_encode(&os, pki_appliance_v1_BeginOperationRequest_fields,
                        &begin.body.begin_operation));
  crypto::Sha256Digest want = crypto::Sha256(ByteSpan(enc, os.bytes_written));
  ASSERT_EQ(0, std::memcmp(want.data(), bo.request_sha256.bytes, 32));
  // The screen shows the same digest in hex and the same words.
  std::string screen = h_.display().Current();
  EXPECT_THAT(screen, HasSubstr("SET TIME"));
  // The preview is in the answer and on the screen.
  EXPECT_THAT(std::string(bo.preview), HasSubstr("set the device time to " + std::to_string(t)));
  EXPECT_THAT(screen, HasSubstr("set the device time to"));
  EXPECT_THAT(screen, HasSubstr(Hex(bo.request_sha256.bytes, 4)));
  std::string words(bo.pgp_words);
  EXPECT_THAT(screen, HasSubstr(words.substr(0, words.find(' ', 20))));

  std::vector<uint8_t> nonce(bo.nonce.bytes, bo.nonce.bytes + 16);
  link::Response s1 = h_.Call(Harness::Submit(nonce, cs_[0]));
  ASSERT_EQ(s1.which_body, pki_appliance_v1_Response_submit_share_tag) << MessageOf(s1);
  EXPECT_EQ(s1.body.submit_share.shares_accepted, 1u);
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_LOCKED);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Execute(nonce))),
            pki_appliance_v1_ErrorCode_ERROR_PERMISSION_DENIED);
  link::Response s2 = h_.Call(Harness::Submit(nonce, cs_[2]));
  ASSERT_EQ(s2.which_body, pki_appliance_v1_Response_submit_share_tag) << MessageOf(s2);
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_UNLOCKED);
  link::Response ex = h_.Call(Harness::Execute(nonce));
  ASSERT_EQ(ex.which_body, pki_appliance_v1_Response_execute_tag) << MessageOf(ex);
  link::Response st = h_.Call(Harness::GetStatus());
  EXPECT_EQ(st.body.status.state, pki_appliance_v1_DeviceState_LOCKED);
  EXPECT_EQ(st.body.status.time_lower_bound, t);
  // One quorum, one operation.
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Execute(nonce))),
            pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
}

TEST_F(Provisioned, SharesCountOnlyForTheSessionAndBadOnesAreNamed) {
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Submit(std::vector<uint8_t>(16, 1), cs_[0]))),
            pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  std::vector<uint8_t> nonce = h_.Approve(Harness::BeginSetTime(kStartTime + 5), {});
  ASSERT_EQ(nonce.size(), 16u);
  std::vector<uint8_t> other = nonce;
  other[0] ^= 1;
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Submit(other, cs_[0]))),
            pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT);
  Custodian wrong = cs_[1];
  wrong.passphrase = "not bob's passphrase";
  link::Response w = h_.Call(Harness::Submit(nonce, wrong));
  EXPECT_EQ(ErrorOf(w), pki_appliance_v1_ErrorCode_ERROR_PERMISSION_DENIED);
  EXPECT_THAT(MessageOf(w), HasSubstr("bob"));
  EXPECT_EQ(h_.Call(Harness::GetStatus()).body.status.failed_attempts, 1u);
  ASSERT_EQ(h_.Call(Harness::Submit(nonce, cs_[0])).which_body,
            pki_appliance_v1_Response_submit_share_tag);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Submit(nonce, cs_[0]))),
            pki_appliance_v1_ErrorCode_ERROR_ALREADY_EXISTS);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::BeginSetTime(kStartTime + 9))),
            pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  ASSERT_EQ(ErrorOf(h_.Call(Harness::Abort(nonce))), pki_appliance_v1_ErrorCode_ERROR_NONE);
  EXPECT_EQ(h_.Call(Harness::GetStatus()).body.status.pending_operation,
            pki_appliance_v1_Operation_OPERATION_UNSPECIFIED);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Submit(nonce, cs_[1]))),
            pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
}

TEST_F(Provisioned, SessionTimesOutAndARebootComesBackLocked) {
  std::vector<uint8_t> nonce = h_.Approve(Harness::BeginSetTime(kStartTime + 5), {&cs_[0], &cs_[1]});
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_UNLOCKED);
  h_.clock().AdvanceMillis(61'000);
  h_.device().Tick();
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_LOCKED);
  EXPECT_THAT(h_.display().Current(), HasSubstr("EXPIRED"));
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Execute(nonce))),
            pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);

  nonce = h_.Approve(Harness::BeginSetTime(kStartTime + 70), {&cs_[0], &cs_[1]});
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_UNLOCKED);
  ASSERT_TRUE(h_.PowerCycle().ok());
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_LOCKED);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Execute(nonce))),
            pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
}

TEST_F(Provisioned, IssueCrlThenRevokeRaiseTheCrlNumber) {
  link::Response begin;
  std::vector<uint8_t> nonce = h_.Approve(Harness::BeginIssueCrl(30), {&cs_[0], &cs_[1]}, &begin);
  EXPECT_THAT(std::string(begin.body.begin_operation.preview),
              HasSubstr("issue the root CRL\nCRL number 1, 0 revoked, next update in 30 days"));
  // Before Execute, the result is the exact TBS the quorum approved.
  std::vector<uint8_t> tbs = h_.FetchAll();
  crypto::Sha256Digest td = crypto::Sha256(tbs);
  ASSERT_EQ(begin.body.begin_operation.tbs_sha256.size, 32u);
  EXPECT_EQ(0, std::memcmp(td.data(), begin.body.begin_operation.tbs_sha256.bytes, 32));
  link::Response ex = h_.Call(Harness::Execute(nonce));
  ASSERT_EQ(ex.which_body, pki_appliance_v1_Response_execute_tag) << MessageOf(ex);
  std::vector<uint8_t> crl = h_.FetchAll();
  ASSERT_EQ(crl.size(), ex.body.execute.result_size);
  // mbedTLS 2.28 cannot parse a CRL with a critical issuingDistributionPoint;
  // ca/ parses it back itself, and the appliance-sim integration test checks
  // it with `openssl crl`. Here: the DER SEQUENCE spans the whole result.
  ASSERT_GT(crl.size(), 4u);
  EXPECT_EQ(crl[0], 0x30);
  EXPECT_EQ(h_.Call(Harness::GetStatus()).body.status.crl_number, 1u);

  const uint8_t serial[] = {0x4a, 0x01, 0x02, 0x03};
  nonce = h_.Approve(Harness::BeginRevoke(serial, 1), {&cs_[1], &cs_[2]});
  ex = h_.Call(Harness::Execute(nonce));
  ASSERT_EQ(ex.which_body, pki_appliance_v1_Response_execute_tag) << MessageOf(ex);
  crl = h_.FetchAll();
  // The revoked serial is in the CRL as a DER INTEGER.
  const uint8_t integer[] = {0x02, 0x04, 0x4a, 0x01, 0x02, 0x03};
  EXPECT_NE(std::search(crl.begin(), crl.end(), std::begin(integer), std::end(integer)), crl.end());
  EXPECT_EQ(h_.Call(Harness::GetStatus()).body.status.crl_number, 2u);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::BeginRevoke(serial, 1))),
            pki_appliance_v1_ErrorCode_ERROR_ALREADY_EXISTS);
}

// The result buffer is sized for the signed form of the largest TBS
// (operation_engine.h). Drive the largest CRL the TBS room takes: revoked
// entries as large as the device stores (20-byte serials with the high bit
// set, a reason code), added until the TBS no longer fits. The entry that
// does not fit is refused cleanly (nothing signed, nothing changed); the
// largest that fits is signed and served whole from the result.
TEST_F(Provisioned, TheLargestCrlTheTbsRoomTakesIsSignedAndServed) {
  RevocationList list;
  auto add = [&list](size_t i) {
    uint8_t serial[20];
    std::memset(serial, static_cast<int>(0x80 | (i & 0x7f)), sizeof(serial));
    serial[19] = static_cast<uint8_t>(i >> 7);
    // keyCompromise: written as a reasonCode extension.
    ASSERT_TRUE(list.Add(serial, kStartTime - 1000, 1).ok());
  };
  // Grow until BeginOperation refuses; keep the largest list that worked.
  size_t largest_tbs = 0;
  for (size_t i = 0; i < kMaxRevocations; ++i) {
    add(i);
    ASSERT_TRUE(SaveRevocations(h_.storage(), list).ok());
    link::Response b = h_.Call(Harness::BeginIssueCrl(30));
    if (b.which_body != pki_appliance_v1_Response_begin_operation_tag) {
      EXPECT_EQ(ErrorOf(b), pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT);
      EXPECT_THAT(MessageOf(b), HasSubstr("TBSCertList: output buffer too small"));
      break;
    }
    largest_tbs = h_.FetchAll().size();
    std::vector<uint8_t> n(b.body.begin_operation.nonce.bytes, b.body.begin_operation.nonce.bytes + 16);
    ASSERT_EQ(h_.Call(Harness::Abort(n)).which_body, pki_appliance_v1_Response_abort_tag);
  }
  ASSERT_LT(list.count(), kMaxRevocations) << "the TBS room should run out first";
  RecordProperty("largest_crl_entries", static_cast<int>(list.count() - 1));
  RecordProperty("largest_crl_tbs_bytes", static_cast<int>(largest_tbs));
  // An entry is at most 56 bytes: the last TBS that fit filled the room.
  EXPECT_LE(largest_tbs, kMaxTbsSize);
  EXPECT_GT(largest_tbs + 56, kMaxTbsSize);
  // Back to the largest list that fit.
  RevocationList fits;
  for (const ca::RevokedCertificate& e : list.Entries().first(list.count() - 1)) {
    ASSERT_TRUE(fits.Add(e.serial, e.revocation_time, static_cast<uint8_t>(e.reason)).ok());
  }
  ASSERT_TRUE(SaveRevocations(h_.storage(), fits).ok());
  link::Response begin;
  std::vector<uint8_t> nonce = h_.Approve(Harness::BeginIssueCrl(30), {&cs_[0], &cs_[1]}, &begin);
  ASSERT_EQ(h_.FetchAll().size(), largest_tbs);
  link::Response ex = h_.Call(Harness::Execute(nonce));
  ASSERT_EQ(ex.which_body, pki_appliance_v1_Response_execute_tag) << MessageOf(ex);
  std::vector<uint8_t> crl = h_.FetchAll();
  ASSERT_EQ(crl.size(), ex.body.execute.result_size);
  EXPECT_LE(crl.size(), kMaxResultSize);
  EXPECT_GT(crl.size(), largest_tbs);
  crypto::Sha256Digest d = crypto::Sha256(crl);
  EXPECT_EQ(0, std::memcmp(d.data(), ex.body.execute.result_sha256.bytes, 32));
}

TEST_F(Provisioned, TamperZeroizesErasesTheKeyAndRefusesEverything) {
  std::vector<uint8_t> nonce = h_.Approve(Harness::BeginSetTime(kStartTime + 5), {&cs_[0]});
  h_.tamper().Trigger();
  h_.device().Tick();
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_DECOMMISSIONED);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Submit(nonce, cs_[1]))),
            pki_appliance_v1_ErrorCode_ERROR_TAMPERED);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::BeginIssueCrl(3))), pki_appliance_v1_ErrorCode_ERROR_TAMPERED);
  uint8_t buf[4096];
  EXPECT_EQ(h_.storage().Read(kSealedRootKeyKey, buf).status().code(), StatusCode::kNotFound);
  EXPECT_THAT(h_.display().Current(), HasSubstr("TAMPER"));
  ASSERT_TRUE(h_.PowerCycle().ok());
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_DECOMMISSIONED);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::BeginIssueCrl(3))), pki_appliance_v1_ErrorCode_ERROR_TAMPERED);
}

// Tampered before it was ever provisioned (fuzz finding: it never booted
// again): it boots DECOMMISSIONED with no root, refuses Init, and still
// answers GetStatus so its journal can be read.
TEST(Tamper, TamperedWhileUnprovisionedBootsDecommissioned) {
  Harness h;
  ASSERT_EQ(h.Call(Harness::GetStatus()).body.status.state, pki_appliance_v1_DeviceState_UNPROVISIONED);
  h.tamper().Trigger();
  h.device().Tick();
  ASSERT_TRUE(h.PowerCycle().ok());
  link::Response st = h.Call(Harness::GetStatus());
  ASSERT_EQ(st.which_body, pki_appliance_v1_Response_status_tag) << MessageOf(st);
  EXPECT_EQ(st.body.status.state, pki_appliance_v1_DeviceState_DECOMMISSIONED);
  EXPECT_EQ(st.body.status.root_cert_sha256.size, 0u);
  EXPECT_EQ(ErrorOf(h.Call(Harness::Init(Harness::ThreeCustodians(), 2))), pki_appliance_v1_ErrorCode_ERROR_TAMPERED);
}

// A host that lost its nonce (BeginOperation answer or link lost) aborts
// whatever is pending with an empty nonce; a wrong nonce is still refused,
// and with nothing pending the empty abort is FAILED_PRECONDITION.
TEST_F(Provisioned, AbortWithoutANonceEndsThePendingSession) {
  std::vector<uint8_t> nonce = h_.Approve(Harness::BeginSetTime(kStartTime + 5), {&cs_[0], &cs_[1]});
  const std::vector<uint8_t> wrong(nonce.size(), 0x5A);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Abort(wrong))), pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_UNLOCKED);
  const uint64_t seq = h_.Call(Harness::GetStatus()).body.status.journal_sequence;
  ASSERT_EQ(ErrorOf(h_.Call(Harness::Abort(ByteSpan()))), pki_appliance_v1_ErrorCode_ERROR_NONE);
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_LOCKED);
  EXPECT_EQ(h_.Call(Harness::GetStatus()).body.status.pending_operation,
            pki_appliance_v1_Operation_OPERATION_UNSPECIFIED);
  EXPECT_EQ(h_.Call(Harness::GetStatus()).body.status.journal_sequence, seq + 1) << "the abort is journaled";
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Execute(nonce))), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Abort(ByteSpan()))), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
}

TEST_F(Provisioned, DecommissionByQuorumIsFinal) {
  std::vector<uint8_t> nonce = h_.Approve(Harness::BeginDecommission("retired"), {&cs_[0], &cs_[2]});
  link::Response ex = h_.Call(Harness::Execute(nonce));
  ASSERT_EQ(ex.which_body, pki_appliance_v1_Response_execute_tag) << MessageOf(ex);
  EXPECT_EQ(StateOf(h_), pki_appliance_v1_DeviceState_DECOMMISSIONED);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::BeginIssueCrl(3))),
            pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  uint8_t buf[4096];
  EXPECT_EQ(h_.storage().Read(kSealedRootKeyKey, buf).status().code(), StatusCode::kNotFound);
}

TEST_F(Provisioned, ChangeCustodiansRetiresTheOldShares) {
  std::vector<Custodian> next = {{"dave", "dave's new passphrase", {}},
                                 {"erin", "erin's new passphrase", {}}};
  const link::Request begin_req = Harness::BeginChangeCustodians(next, 2);
  link::Response begin;
  std::vector<uint8_t> nonce = h_.Approve(begin_req, {&cs_[0], &cs_[1]}, &begin);
  // The request digest covers the request with the passphrases emptied.
  pki_appliance_v1_BeginOperationRequest blank = begin_req.body.begin_operation;
  for (pb_size_t i = 0; i < blank.params.change_custodians.custodians_count; ++i) {
    std::memset(blank.params.change_custodians.custodians[i].passphrase, 0,
                sizeof(blank.params.change_custodians.custodians[i].passphrase));
  }
  std::vector<uint8_t> enc(pki_appliance_v1_BeginOperationRequest_size);
  pb_ostream_t os = pb_ostream_from_buffer(enc.data(), enc.size());
  ASSERT_TRUE(pb_encode(&os, pki_appliance_v1_BeginOperationRequest_fields, &blank));
  crypto::Sha256Digest want = crypto::Sha256(ByteSpan(enc.data(), os.bytes_written));
  EXPECT_EQ(0, std::memcmp(want.data(), begin.body.begin_operation.request_sha256.bytes, 32));
  link::Response ex = h_.Call(Harness::Execute(nonce));
  ASSERT_EQ(ex.which_body, pki_appliance_v1_Response_execute_tag) << MessageOf(ex);
  ASSERT_EQ(ex.body.execute.shares_count, 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto& s = ex.body.execute.shares[i];
    next[i].wrapped.assign(s.wrapped.bytes, s.wrapped.bytes + s.wrapped.size);
  }
  ASSERT_TRUE(h_.ConfirmAll(next).body.confirm_share.committed);
  link::Response b = h_.Call(Harness::BeginIssueCrl(7));
  ASSERT_EQ(b.which_body, pki_appliance_v1_Response_begin_operation_tag);
  std::vector<uint8_t> n2(b.body.begin_operation.nonce.bytes, b.body.begin_operation.nonce.bytes + 16);
  EXPECT_EQ(ErrorOf(h_.Call(Harness::Submit(n2, cs_[0]))),
            pki_appliance_v1_ErrorCode_ERROR_PERMISSION_DENIED);
  ASSERT_EQ(h_.Call(Harness::Submit(n2, next[0])).which_body,
            pki_appliance_v1_Response_submit_share_tag);
  ASSERT_EQ(h_.Call(Harness::Submit(n2, next[1])).which_body,
            pki_appliance_v1_Response_submit_share_tag);
  EXPECT_EQ(h_.Call(Harness::Execute(n2)).which_body, pki_appliance_v1_Response_execute_tag);
}

TEST_F(Provisioned, DisplayFailureRefusesToOpenASession) {
  h_.display().SetFailing(true);
  link::Response r = h_.Call(Harness::BeginSetTime(kStartTime + 5));
  EXPECT_EQ(ErrorOf(r), pki_appliance_v1_ErrorCode_ERROR_UNAVAILABLE);
  EXPECT_EQ(h_.Call(Harness::GetStatus()).body.status.pending_operation,
            pki_appliance_v1_Operation_OPERATION_UNSPECIFIED);
  h_.display().SetFailing(false);
  EXPECT_EQ(h_.Call(Harness::BeginSetTime(kStartTime + 5)).which_body,
            pki_appliance_v1_Response_begin_operation_tag);
}

TEST_F(Provisioned, CrossSignsAnotherRoot) {
  Harness other(99);
  auto ocs = Harness::ThreeCustodians();
  ASSERT_EQ(other.Call(Harness::Init(ocs, 2, "C=DE,O=Example,CN=Example Root CA R2")).which_body,
            pki_appliance_v1_Response_init_tag);
  std::vector<uint8_t> new_root = other.FetchAll();
  std::vector<uint8_t> nonce =
      h_.Approve(Harness::BeginCrossSign(new_root, 365), {&cs_[0], &cs_[1]});
  link::Response ex = h_.Call(Harness::Execute(nonce));
  ASSERT_EQ(ex.which_body, pki_appliance_v1_Response_execute_tag) << MessageOf(ex);
  std::vector<uint8_t> cross = h_.FetchAll();
  StatusOr<ca::CaCertificate> parsed = ca::CaCertificate::Parse(cross);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  StatusOr<ca::CaCertificate> r2 = ca::CaCertificate::Parse(new_root);
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(std::equal(parsed->subject_der().begin(), parsed->subject_der().end(),
                         r2->subject_der().begin(), r2->subject_der().end()));
  // A certificate that is not a CA certificate is refused by name.
  const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
  EXPECT_EQ(ErrorOf(h_.Call(Harness::BeginCrossSign(junk, 365))),
            pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT);
}

TEST(Device, EntropyFailureAtBootRefusesToRunAndChangesNothing) {
  Harness h;
  ASSERT_EQ(h.Call(Harness::GetStatus()).body.status.boot_count, 1u);
  // The DRBG is seeded at boot; a TRNG that fails its health test then
  // stops the appliance from coming up at all (no unseeded keys, nonces).
  h.entropy().FailAfter(0);
  Status s = h.PowerCycle();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.message();
  h.entropy().StopFailing();
  ASSERT_TRUE(h.PowerCycle().ok());
  // The failed boot did not count: nothing was written.
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.boot_count, 2u);
}

TEST(Device, FullJournalRefusesOperationsUntilExportedAndAcknowledged) {
  Harness h(7, /*journal_capacity=*/24);
  auto cs = Harness::ThreeCustodians();
  ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
  link::Response last;
  int opened = 0;
  for (; opened < 40; ++opened) {
    last = h.Call(Harness::BeginSetTime(kStartTime + 10));
    if (last.which_body != pki_appliance_v1_Response_begin_operation_tag) break;
    std::vector<uint8_t> nonce(last.body.begin_operation.nonce.bytes,
                               last.body.begin_operation.nonce.bytes + 16);
    h.Call(Harness::Abort(nonce));
  }
  ASSERT_LT(opened, 40);
  EXPECT_EQ(ErrorOf(last), pki_appliance_v1_ErrorCode_ERROR_RESOURCE_EXHAUSTED) << MessageOf(last);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.pending_operation,
            pki_appliance_v1_Operation_OPERATION_UNSPECIFIED);
  // Export everything, acknowledge it, and the device works again.
  uint64_t from = 0;
  link::Response chunk;
  for (int i = 0; i < 50; ++i) {
    link::Request ex = pki_appliance_v1_Request_init_zero;
    ex.request_id = 1;
    ex.which_body = pki_appliance_v1_Request_export_journal_tag;
    ex.body.export_journal.from_sequence = from;
    chunk = h.Call(ex);
    ASSERT_EQ(chunk.which_body, pki_appliance_v1_Response_journal_chunk_tag) << MessageOf(chunk);
    from = chunk.body.journal_chunk.next_sequence;
    if (chunk.body.journal_chunk.last) break;
  }
  link::Request ack = pki_appliance_v1_Request_init_zero;
  ack.request_id = 1;
  ack.which_body = pki_appliance_v1_Request_ack_export_tag;
  ack.body.ack_export.up_to_sequence = from - 1;
  ack.body.ack_export.head_sha256 = {32, {}};
  std::memcpy(ack.body.ack_export.head_sha256.bytes, chunk.body.journal_chunk.head_sha256.bytes, 32);
  link::Response acked = h.Call(ack);
  ASSERT_EQ(acked.which_body, pki_appliance_v1_Response_ack_export_tag) << MessageOf(acked);
  EXPECT_EQ(h.Call(Harness::BeginSetTime(kStartTime + 10)).which_body,
            pki_appliance_v1_Response_begin_operation_tag);
}

}  // namespace
}  // namespace pki::appliance::device::testing

namespace pki::appliance::device::testing {
namespace {

// Init stages the root; it is committed (stored, LOCKED) only when every
// custodian has re-entered their share with their passphrase. A custodian
// who cannot confirm blocks the commit and is named; a reboot before the
// commit leaves an unprovisioned device with nothing stored.
TEST(ConfirmShare, InitCommitsOnlyAfterEveryCustodianConfirms) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  link::Response init = h.Call(Harness::Init(cs, 2));
  ASSERT_EQ(init.which_body, pki_appliance_v1_Response_init_tag) << MessageOf(init);
  for (size_t i = 0; i < cs.size(); ++i) {
    const auto& s = init.body.init.shares[i];
    cs[i].wrapped.assign(s.wrapped.bytes, s.wrapped.bytes + s.wrapped.size);
  }
  uint8_t buf[4096];
  EXPECT_EQ(h.storage().Read(kSealedRootKeyKey, buf).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.state, pki_appliance_v1_DeviceState_UNPROVISIONED);
  // Operations and a second Init wait for the confirmations.
  EXPECT_EQ(ErrorOf(h.Call(Harness::BeginIssueCrl(3))), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  EXPECT_EQ(ErrorOf(h.Call(Harness::Init(cs, 2))), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);

  link::Response r = h.Call(Harness::Confirm(cs[0]));
  ASSERT_EQ(r.which_body, pki_appliance_v1_Response_confirm_share_tag) << MessageOf(r);
  EXPECT_EQ(r.body.confirm_share.confirmed, 1u);
  EXPECT_FALSE(r.body.confirm_share.committed);
  // Bob types a wrong passphrase; Carol submits Bob's share under her name.
  Custodian wrong = cs[1];
  wrong.passphrase = "not bob's passphrase";
  const uint64_t failed = h.Call(Harness::GetStatus()).body.status.failed_attempts;
  r = h.Call(Harness::Confirm(wrong));
  EXPECT_EQ(ErrorOf(r), pki_appliance_v1_ErrorCode_ERROR_PERMISSION_DENIED);
  EXPECT_NE(MessageOf(r).find("bob"), std::string::npos) << MessageOf(r);
  Custodian swapped = cs[1];
  swapped.name = "carol";
  swapped.passphrase = cs[1].passphrase;
  r = h.Call(Harness::Confirm(swapped));
  EXPECT_NE(ErrorOf(r), pki_appliance_v1_ErrorCode_ERROR_NONE);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.failed_attempts, failed + 2);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.state, pki_appliance_v1_DeviceState_UNPROVISIONED);
  // Bob gets it right, Carol confirms: committed.
  r = h.Call(Harness::Confirm(cs[1]));
  ASSERT_EQ(r.which_body, pki_appliance_v1_Response_confirm_share_tag) << MessageOf(r);
  EXPECT_FALSE(r.body.confirm_share.committed);
  r = h.Call(Harness::Confirm(cs[2]));
  ASSERT_EQ(r.which_body, pki_appliance_v1_Response_confirm_share_tag) << MessageOf(r);
  EXPECT_TRUE(r.body.confirm_share.committed);
  EXPECT_EQ(r.body.confirm_share.confirmed, 3u);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.state, pki_appliance_v1_DeviceState_LOCKED);
  EXPECT_TRUE(h.storage().Read(kSealedRootKeyKey, buf).ok());
  // And the shares work.
  std::vector<uint8_t> nonce = h.Approve(Harness::BeginIssueCrl(7), {&cs[0], &cs[2]});
  EXPECT_EQ(h.Call(Harness::Execute(nonce)).which_body, pki_appliance_v1_Response_execute_tag);
}

TEST(ConfirmShare, RebootOrCancelBeforeTheCommitLeavesNothing) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  link::Response init = h.Call(Harness::Init(cs, 2));
  ASSERT_EQ(init.which_body, pki_appliance_v1_Response_init_tag) << MessageOf(init);
  for (size_t i = 0; i < cs.size(); ++i) {
    const auto& s = init.body.init.shares[i];
    cs[i].wrapped.assign(s.wrapped.bytes, s.wrapped.bytes + s.wrapped.size);
  }
  ASSERT_EQ(h.Call(Harness::Confirm(cs[0])).which_body, pki_appliance_v1_Response_confirm_share_tag);
  ASSERT_TRUE(h.PowerCycle().ok());
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.state, pki_appliance_v1_DeviceState_UNPROVISIONED);
  EXPECT_EQ(ErrorOf(h.Call(Harness::Confirm(cs[1]))), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  // A fresh Init, cancelled: still unprovisioned; a third Init goes through.
  ASSERT_EQ(h.Call(Harness::Init(cs, 2)).which_body, pki_appliance_v1_Response_init_tag);
  ASSERT_EQ(h.Call(Harness::CancelSplit()).which_body, pki_appliance_v1_Response_cancel_split_tag);
  EXPECT_EQ(ErrorOf(h.Call(Harness::CancelSplit())), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.state, pki_appliance_v1_DeviceState_UNPROVISIONED);
  ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.state, pki_appliance_v1_DeviceState_LOCKED);
}

// A re-split stays staged until every new custodian confirms: one who can't
// blocks the commit (named), the old split keeps working after a cancel.
TEST(ConfirmShare, UnconfirmedResplitKeepsTheOldSplit) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
  std::vector<Custodian> next = {{"dave", "dave's new passphrase", {}}, {"erin", "erin's new passphrase", {}}};
  std::vector<uint8_t> nonce = h.Approve(Harness::BeginChangeCustodians(next, 2), {&cs[0], &cs[1]});
  link::Response ex = h.Call(Harness::Execute(nonce));
  ASSERT_EQ(ex.which_body, pki_appliance_v1_Response_execute_tag) << MessageOf(ex);
  for (size_t i = 0; i < 2; ++i) {
    const auto& s = ex.body.execute.shares[i];
    next[i].wrapped.assign(s.wrapped.bytes, s.wrapped.bytes + s.wrapped.size);
  }
  ASSERT_EQ(h.Call(Harness::Confirm(next[0])).which_body, pki_appliance_v1_Response_confirm_share_tag);
  Custodian wrong = next[1];
  wrong.passphrase = "erin forgot it already";
  link::Response r = h.Call(Harness::Confirm(wrong));
  EXPECT_EQ(ErrorOf(r), pki_appliance_v1_ErrorCode_ERROR_PERMISSION_DENIED);
  EXPECT_NE(MessageOf(r).find("erin"), std::string::npos) << MessageOf(r);
  EXPECT_EQ(ErrorOf(h.Call(Harness::BeginIssueCrl(3))), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  ASSERT_EQ(h.Call(Harness::CancelSplit()).which_body, pki_appliance_v1_Response_cancel_split_tag);
  // The old split still opens the root; the new shares open nothing.
  link::Response b = h.Call(Harness::BeginIssueCrl(7));
  ASSERT_EQ(b.which_body, pki_appliance_v1_Response_begin_operation_tag) << MessageOf(b);
  std::vector<uint8_t> n2(b.body.begin_operation.nonce.bytes, b.body.begin_operation.nonce.bytes + 16);
  EXPECT_NE(ErrorOf(h.Call(Harness::Submit(n2, next[0]))), pki_appliance_v1_ErrorCode_ERROR_NONE);
  ASSERT_EQ(h.Call(Harness::Submit(n2, cs[1])).which_body, pki_appliance_v1_Response_submit_share_tag);
  ASSERT_EQ(h.Call(Harness::Submit(n2, cs[2])).which_body, pki_appliance_v1_Response_submit_share_tag);
  EXPECT_EQ(h.Call(Harness::Execute(n2)).which_body, pki_appliance_v1_Response_execute_tag);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.custodians_count, 3u);
}

}  // namespace
}  // namespace pki::appliance::device::testing

namespace pki::appliance::device::testing {
namespace {

std::vector<uint8_t> OpenCrlSession(Harness& h) {
  link::Response b = h.Call(Harness::BeginIssueCrl(7));
  EXPECT_EQ(b.which_body, pki_appliance_v1_Response_begin_operation_tag) << MessageOf(b);
  return std::vector<uint8_t>(b.body.begin_operation.nonce.bytes, b.body.begin_operation.nonce.bytes + 16);
}

// Five wrong shares in a row lock quorum sessions out for a back-off on the
// monotonic clock; the count survives a power cycle (the back-off restarts
// at boot); an accepted share resets it.
TEST(Lockout, WrongSharesInARowLockQuorumSessionsOut) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
  Custodian wrong = cs[1];
  wrong.passphrase = "a guess at bob's passphrase";
  // Four wrong, then a good one: the count resets.
  std::vector<uint8_t> nonce = OpenCrlSession(h);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(ErrorOf(h.Call(Harness::Submit(nonce, wrong))), pki_appliance_v1_ErrorCode_ERROR_PERMISSION_DENIED);
  }
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.consecutive_failures, 4u);
  ASSERT_EQ(h.Call(Harness::Submit(nonce, cs[0])).which_body, pki_appliance_v1_Response_submit_share_tag);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.consecutive_failures, 0u);
  ASSERT_EQ(h.Call(Harness::Abort(nonce)).which_body, pki_appliance_v1_Response_abort_tag);

  // Five in a row: the session ends, sessions are refused.
  nonce = OpenCrlSession(h);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ErrorOf(h.Call(Harness::Submit(nonce, wrong))), pki_appliance_v1_ErrorCode_ERROR_PERMISSION_DENIED) << i;
  }
  link::Response st = h.Call(Harness::GetStatus());
  EXPECT_EQ(st.body.status.consecutive_failures, 5u);
  EXPECT_EQ(st.body.status.lockout_seconds, 60u);
  EXPECT_EQ(st.body.status.pending_operation, pki_appliance_v1_Operation_OPERATION_UNSPECIFIED);
  EXPECT_NE(ErrorOf(h.Call(Harness::Submit(nonce, cs[0]))), pki_appliance_v1_ErrorCode_ERROR_NONE);
  link::Response refused = h.Call(Harness::BeginIssueCrl(7));
  EXPECT_EQ(ErrorOf(refused), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(MessageOf(refused), HasSubstr("locked out after 5 wrong shares"));
  EXPECT_THAT(h.display().Current(), HasSubstr("LOCKED OUT"));

  // 50 s later a power cycle: still locked out, the back-off starts again.
  h.clock().AdvanceMillis(50 * 1000);
  ASSERT_TRUE(h.PowerCycle().ok());
  st = h.Call(Harness::GetStatus());
  EXPECT_EQ(st.body.status.consecutive_failures, 5u);
  EXPECT_EQ(st.body.status.lockout_seconds, 60u);
  EXPECT_EQ(ErrorOf(h.Call(Harness::BeginIssueCrl(7))), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  h.clock().AdvanceMillis(59 * 1000);
  EXPECT_EQ(ErrorOf(h.Call(Harness::BeginIssueCrl(7))), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION);
  h.clock().AdvanceMillis(2 * 1000);
  // A sixth wrong share doubles the back-off.
  nonce = OpenCrlSession(h);
  EXPECT_EQ(ErrorOf(h.Call(Harness::Submit(nonce, wrong))), pki_appliance_v1_ErrorCode_ERROR_PERMISSION_DENIED);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.lockout_seconds, 120u);
  h.clock().AdvanceMillis(121 * 1000);
  // The right shares work and reset the count.
  std::vector<uint8_t> ok = h.Approve(Harness::BeginIssueCrl(7), {&cs[0], &cs[2]});
  EXPECT_EQ(h.Call(Harness::Execute(ok)).which_body, pki_appliance_v1_Response_execute_tag);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.consecutive_failures, 0u);
}

// A power cut at every storage write of the commit that the last share
// confirmation triggers (root certificate, sealed key, journal, split
// record, device record): after the reboot the device is either
// unprovisioned with nothing usable (and Init works again) or provisioned
// with a root the custodians' shares open, never stuck.
class PowerCut : public ::testing::TestWithParam<size_t> {};

TEST_P(PowerCut, EveryWriteOfTheInitCommitRecoversOnBoot) {
  const size_t torn = GetParam();  // 0: the cut write is dropped; else torn after that many bytes
  bool saw_unprovisioned = false, saw_recovered = false;
  for (uint64_t cut = 1; cut < 64; ++cut) {
    SCOPED_TRACE("cut at write " + std::to_string(cut) + ", torn bytes " + std::to_string(torn));
    Harness h;
    auto cs = Harness::ThreeCustodians();
    link::Response init = h.Call(Harness::Init(cs, 2));
    ASSERT_EQ(init.which_body, pki_appliance_v1_Response_init_tag) << MessageOf(init);
    for (size_t i = 0; i < cs.size(); ++i) {
      const auto& s = init.body.init.shares[i];
      cs[i].wrapped.assign(s.wrapped.bytes, s.wrapped.bytes + s.wrapped.size);
    }
    ASSERT_EQ(h.Call(Harness::Confirm(cs[0])).which_body, pki_appliance_v1_Response_confirm_share_tag);
    ASSERT_EQ(h.Call(Harness::Confirm(cs[1])).which_body, pki_appliance_v1_Response_confirm_share_tag);
    h.storage().medium().CutPowerAt(cut, torn);
    link::Response last = h.Call(Harness::Confirm(cs[2]));
    const bool cut_happened = !h.storage().medium().powered();
    h.storage().medium().PowerOn();
    Status booted = h.PowerCycle();
    ASSERT_TRUE(booted.ok()) << booted.message() << " (confirm answered: " << MessageOf(last) << ")";
    const auto state = h.Call(Harness::GetStatus()).body.status.state;
    if (!cut_happened) {
      // Past the last write: the commit completed.
      ASSERT_EQ(last.which_body, pki_appliance_v1_Response_confirm_share_tag) << MessageOf(last);
      EXPECT_EQ(state, pki_appliance_v1_DeviceState_LOCKED);
      ASSERT_TRUE(saw_unprovisioned);
      ASSERT_TRUE(saw_recovered) << "no cut point fell between the split commit and the device record";
      return;
    }
    if (state == pki_appliance_v1_DeviceState_UNPROVISIONED) {
      saw_unprovisioned = true;
      uint8_t buf[4096];
      EXPECT_EQ(h.storage().Read(kSealedRootKeyKey, buf).status().code(), StatusCode::kNotFound);
      ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
    } else {
      ASSERT_EQ(state, pki_appliance_v1_DeviceState_LOCKED);
      if (last.which_body != pki_appliance_v1_Response_confirm_share_tag) saw_recovered = true;
    }
    // Either way the device now works with the custodians' shares.
    std::vector<uint8_t> nonce = h.Approve(Harness::BeginIssueCrl(7), {&cs[0], &cs[2]});
    EXPECT_EQ(h.Call(Harness::Execute(nonce)).which_body, pki_appliance_v1_Response_execute_tag);
  }
  FAIL() << "the commit never completed within 63 writes";
}

INSTANTIATE_TEST_SUITE_P(DroppedOrTorn, PowerCut, ::testing::Values(size_t{0}, size_t{9}, size_t{40}));

}  // namespace
}  // namespace pki::appliance::device::testing
