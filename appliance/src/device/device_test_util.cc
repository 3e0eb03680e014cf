#include "device/device_test_util.h"

#include <gtest/gtest.h>

#include <cstring>

#include "device/dispatcher.h"

namespace pki::appliance::device::testing {
namespace {

void Copy(char* dst, size_t cap, const std::string& s) {
  ASSERT_LT(s.size(), cap);
  std::memcpy(dst, s.data(), s.size());
  dst[s.size()] = '\0';
}

link::Request Empty(pb_size_t tag) {
  link::Request r = pki_appliance_v1_Request_init_zero;
  r.request_id = 1;
  r.which_body = tag;
  return r;
}

}  // namespace

Harness::Harness(uint64_t seed, uint32_t journal_capacity) : journal_capacity_(journal_capacity) {
  auto storage = hw::FakeStorage::Create();
  EXPECT_TRUE(storage.ok());
  storage_ = std::move(*storage);
  auto entropy = hw::fake::SeededEntropy::Create(seed);
  EXPECT_TRUE(entropy.ok());
  entropy_ = std::move(*entropy);
  Status s = Boot();
  EXPECT_TRUE(s.ok()) << s.message();
}

Harness::~Harness() { appliance_.reset(); }

Status Harness::Boot() {
  ApplianceHardware hw;
  hw.storage = storage_.get();
  hw.clock = &clock_;
  hw.entropy = entropy_.get();
  hw.display = &display_;
  hw.tamper = &tamper_;
  ApplianceConfig config;
  config.device.device_id = "test-appliance-1";
  config.device.firmware_version = "0.1.0-test";
  config.device.quorum_timeout_ms = 60'000;
  config.device.share_iterations = kTestIterations;
  config.journal.capacity = journal_capacity_;
  config.journal.checkpoint_interval = 16;
  return Appliance::Create(hw, config, appliance_);
}

Status Harness::PowerCycle() {
  appliance_.reset();
  return Boot();
}

link::Response Harness::Call(const link::Request& req) {
  link::Response resp;
  Dispatch(appliance_->device(), req, &resp);
  return resp;
}

link::Request Harness::GetStatus() { return Empty(pki_appliance_v1_Request_get_status_tag); }

link::Request Harness::Init(const std::vector<Custodian>& custodians, uint32_t threshold,
                            const char* subject) {
  link::Request r = Empty(pki_appliance_v1_Request_init_tag);
  auto& b = r.body.init;
  b.algorithm = pki_appliance_v1_KeyAlgorithm_EC_P256;
  Copy(b.subject, sizeof(b.subject), subject);
  b.validity_days = 3650;
  b.threshold = threshold;
  b.custodians_count = static_cast<pb_size_t>(custodians.size());
  for (size_t i = 0; i < custodians.size(); ++i) {
    Copy(b.custodians[i].name, sizeof(b.custodians[i].name), custodians[i].name);
    Copy(b.custodians[i].passphrase, sizeof(b.custodians[i].passphrase), custodians[i].passphrase);
  }
  return r;
}

static link::Request Begin(pb_size_t tag) {
  link::Request r = Empty(pki_appliance_v1_Request_begin_operation_tag);
  r.body.begin_operation.which_params = tag;
  return r;
}

link::Request Harness::BeginSetTime(int64_t t) {
  link::Request r = Begin(pki_appliance_v1_BeginOperationRequest_set_time_tag);
  r.body.begin_operation.params.set_time.unix_seconds = t;
  return r;
}

link::Request Harness::BeginDecommission(const char* reason) {
  link::Request r = Begin(pki_appliance_v1_BeginOperationRequest_decommission_tag);
  Copy(r.body.begin_operation.params.decommission.reason,
       sizeof(r.body.begin_operation.params.decommission.reason), reason);
  return r;
}

link::Request Harness::BeginIssueCrl(uint32_t days) {
  link::Request r = Begin(pki_appliance_v1_BeginOperationRequest_issue_crl_tag);
  r.body.begin_operation.params.issue_crl.next_update_days = days;
  return r;
}

link::Request Harness::BeginRevoke(ByteSpan serial, uint32_t reason) {
  link::Request r = Begin(pki_appliance_v1_BeginOperationRequest_revoke_tag);
  auto& v = r.body.begin_operation.params.revoke;
  v.serial.size = static_cast<pb_size_t>(serial.size());
  std::memcpy(v.serial.bytes, serial.data(), serial.size());
  v.reason = reason;
  return r;
}

link::Request Harness::BeginCrossSign(ByteSpan cert_der, uint32_t days) {
  link::Request r = Begin(pki_appliance_v1_BeginOperationRequest_cross_sign_tag);
  auto& c = r.body.begin_operation.params.cross_sign;
  c.cert_der.size = static_cast<pb_size_t>(cert_der.size());
  std::memcpy(c.cert_der.bytes, cert_der.data(), cert_der.size());
  c.validity_days = days;
  c.path_len = -2;  // as the new root's
  return r;
}

link::Request Harness::BeginChangeCustodians(const std::vector<Custodian>& custodians,
                                             uint32_t threshold) {
  link::Request r = Begin(pki_appliance_v1_BeginOperationRequest_change_custodians_tag);
  auto& b = r.body.begin_operation.params.change_custodians;
  b.threshold = threshold;
  b.custodians_count = static_cast<pb_size_t>(custodians.size());
  for (size_t i = 0; i < custodians.size(); ++i) {
    Copy(b.custodians[i].name, sizeof(b.custodians[i].name), custodians[i].name);
    Copy(b.custodians[i].passphrase, sizeof(b.custodians[i].passphrase), custodians[i].passphrase);
  }
  return r;
}

link::Request Harness::Submit(ByteSpan nonce, const Custodian& c) {
  link::Request r = Empty(pki_appliance_v1_Request_submit_share_tag);
  auto& b = r.body.submit_share;
  b.nonce.size = static_cast<pb_size_t>(nonce.size());
  std::memcpy(b.nonce.bytes, nonce.data(), nonce.size());
  Copy(b.custodian, sizeof(b.custodian), c.name);
  Copy(b.passphrase, sizeof(b.passphrase), c.passphrase);
  b.wrapped_share.size = static_cast<pb_size_t>(c.wrapped.size());
  std::memcpy(b.wrapped_share.bytes, c.wrapped.data(), c.wrapped.size());
  return r;
}

link::Request Harness::Execute(ByteSpan nonce) {
  link::Request r = Empty(pki_appliance_v1_Request_execute_tag);
  r.body.execute.nonce.size = static_cast<pb_size_t>(nonce.size());
  if (!nonce.empty()) std::memcpy(r.body.execute.nonce.bytes, nonce.data(), nonce.size());
  return r;
}

link::Request Harness::Abort(ByteSpan nonce) {
  link::Request r = Empty(pki_appliance_v1_Request_abort_tag);
  r.body.abort.nonce.size = static_cast<pb_size_t>(nonce.size());
  if (!nonce.empty()) std::memcpy(r.body.abort.nonce.bytes, nonce.data(), nonce.size());  // empty: abort what is pending
  return r;
}

link::Request Harness::Fetch(uint32_t offset) {
  link::Request r = Empty(pki_appliance_v1_Request_fetch_result_tag);
  r.body.fetch_result.offset = offset;
  return r;
}

std::vector<Custodian> Harness::ThreeCustodians() {
  return {{"alice", "correct horse battery", {}},
          {"bob", "tr0ub4dor&3 staple", {}},
          {"carol", "purple monkey dishwasher", {}}};
}

link::Request Harness::Confirm(const Custodian& c) {
  link::Request r = Empty(pki_appliance_v1_Request_confirm_share_tag);
  auto& b = r.body.confirm_share;
  Copy(b.custodian, sizeof(b.custodian), c.name.c_str());
  Copy(b.passphrase, sizeof(b.passphrase), c.passphrase.c_str());
  b.wrapped_share.size = static_cast<pb_size_t>(c.wrapped.size());
  std::memcpy(b.wrapped_share.bytes, c.wrapped.data(), c.wrapped.size());
  return r;
}

link::Request Harness::CancelSplit() { return Empty(pki_appliance_v1_Request_cancel_split_tag); }

link::Response Harness::ConfirmAll(const std::vector<Custodian>& custodians) {
  link::Response last = pki_appliance_v1_Response_init_zero;
  for (const Custodian& c : custodians) {
    last = Call(Confirm(c));
    if (last.which_body != pki_appliance_v1_Response_confirm_share_tag) {
      ADD_FAILURE() << "ConfirmShare of " << c.name << " failed: " << MessageOf(last);
      return last;
    }
  }
  EXPECT_TRUE(last.body.confirm_share.committed);
  return last;
}

link::Response Harness::Provision(std::vector<Custodian>& custodians, uint32_t threshold) {
  link::Response r = Call(Init(custodians, threshold));
  if (r.which_body == pki_appliance_v1_Response_init_tag) {
    for (size_t i = 0; i < custodians.size(); ++i) {
      const auto& s = r.body.init.shares[i];
      EXPECT_EQ(std::string(s.custodian), custodians[i].name);
      custodians[i].wrapped.assign(s.wrapped.bytes, s.wrapped.bytes + s.wrapped.size);
    }
    ConfirmAll(custodians);
  }
  return r;
}

std::vector<uint8_t> Harness::FetchAll() {
  std::vector<uint8_t> out;
  for (;;) {
    link::Response r = Call(Fetch(static_cast<uint32_t>(out.size())));
    if (r.which_body != pki_appliance_v1_Response_result_chunk_tag) {
      ADD_FAILURE() << "fetch failed: " << MessageOf(r);
      return out;
    }
    const auto& c = r.body.result_chunk;
    out.insert(out.end(), c.data.bytes, c.data.bytes + c.data.size);
    if (c.last) return out;
  }
}

std::vector<uint8_t> Harness::Approve(const link::Request& begin,
                                      const std::vector<Custodian*>& who,
                                      link::Response* begin_out) {
  link::Response b = Call(begin);
  if (begin_out != nullptr) *begin_out = b;
  if (b.which_body != pki_appliance_v1_Response_begin_operation_tag) {
    ADD_FAILURE() << "BeginOperation failed: " << MessageOf(b);
    return {};
  }
  std::vector<uint8_t> nonce(b.body.begin_operation.nonce.bytes,
                             b.body.begin_operation.nonce.bytes + b.body.begin_operation.nonce.size);
  for (Custodian* c : who) {
    link::Response s = Call(Submit(nonce, *c));
    EXPECT_EQ(s.which_body, pki_appliance_v1_Response_submit_share_tag) << MessageOf(s);
  }
  return nonce;
}

pki_appliance_v1_ErrorCode ErrorOf(const link::Response& r) {
  return r.which_body == pki_appliance_v1_Response_error_tag ? r.body.error.code
                                                              : pki_appliance_v1_ErrorCode_ERROR_NONE;
}

std::string MessageOf(const link::Response& r) {
  return r.which_body == pki_appliance_v1_Response_error_tag ? std::string(r.body.error.message)
                                                              : std::string("(not an error)");
}

}  // namespace pki::appliance::device::testing
