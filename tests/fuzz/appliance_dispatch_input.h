// appliance_dispatch_input.h — the input format of appliance_dispatch_fuzz
// and helpers shared with its seed generator (fuzz_seedgen).
//
// Input: one header byte, then up to kMaxDispatchSteps steps.
//   header bit 0: 1 = start from the provisioned (LOCKED) device,
//                 0 = from a blank (UNPROVISIONED) one
//   step: ctl (1 byte) || length (2 bytes, big-endian) || payload
//     payload: an encoded nanopb Request (undecodable ones are skipped:
//              link_frames_fuzz covers the decoder)
//     ctl bit 0:    put the nonce of the last BeginOperation response into
//                   submit_share/execute/abort (the fuzzer cannot guess it)
//     ctl bit 1:    fill submit_share (and confirm_share, where the link
//                   has it) with custodian (ctl bits 2-3) % 3's real name,
//                   passphrase and wrapped share (the provisioned ones: a
//                   fresh Init's shares differ)
//     ctl bits 4-5: before dispatching, advance the clock by 0, 1 s, 61 s
//                   (past the quorum timeout) or one day
//     ctl bits 6+7: both set: trip the tamper line before dispatching
// A truncated last step takes what is left.
#ifndef PKI_TESTS_FUZZ_APPLIANCE_DISPATCH_INPUT_H_
#define PKI_TESTS_FUZZ_APPLIANCE_DISPATCH_INPUT_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "link/codec.h"

namespace pki::fuzz {

inline constexpr int64_t kDispatchStartTime = 1'790'000'000;  // 2026-09
inline constexpr uint64_t kDispatchEntropySeed = 7;
inline constexpr const char* kDispatchDeviceId = "fuzz-appliance-1";
inline constexpr uint32_t kDispatchShareIterations = 1000;  // test builds' fast KDF
inline constexpr size_t kMaxDispatchSteps = 16;

inline constexpr uint8_t kCtlFixNonce = 0x01;
inline constexpr uint8_t kCtlFillShare = 0x02;
inline constexpr uint8_t kCtlTamper = 0xC0;

struct DispatchCustodian {
  std::string name;
  std::string passphrase;
  std::vector<uint8_t> wrapped;  // filled by provisioning
};
using DispatchCustodians = std::vector<DispatchCustodian>;

inline DispatchCustodians DefaultDispatchCustodians() {
  return {{"alice", "correct horse battery", {}},
          {"bob", "tr0ub4dor&3 staple", {}},
          {"carol", "purple monkey dishwasher", {}}};
}

inline void CopyString(char* dst, size_t cap, const std::string& s) {
  const size_t n = s.size() < cap ? s.size() : cap - 1;
  std::memcpy(dst, s.data(), n);
  dst[n] = '\0';
}

// MakeDispatchInit: a 2-of-3 P-256 Init for |custodians|.
inline appliance::link::Request MakeDispatchInit(const DispatchCustodians& custodians) {
  appliance::link::Request r = pki_appliance_v1_Request_init_zero;
  r.request_id = 1;
  r.which_body = pki_appliance_v1_Request_init_tag;
  auto& b = r.body.init;
  b.algorithm = pki_appliance_v1_KeyAlgorithm_EC_P256;
  CopyString(b.subject, sizeof(b.subject), "C=DE,O=Example,CN=Fuzz Root CA R1");
  b.validity_days = 3650;
  b.threshold = 2;
  b.custodians_count = static_cast<pb_size_t>(custodians.size());
  for (size_t i = 0; i < custodians.size(); ++i) {
    CopyString(b.custodians[i].name, sizeof(b.custodians[i].name), custodians[i].name);
    CopyString(b.custodians[i].passphrase, sizeof(b.custodians[i].passphrase),
               custodians[i].passphrase);
  }
  return r;
}

struct DispatchStep {
  uint8_t ctl = 0;
  ByteSpan payload;
  uint64_t advance_ms = 0;
  bool trip_tamper = false;
};

class DispatchScript {
 public:
  explicit DispatchScript(ByteSpan in) : in_(in) {
    if (!in_.empty()) {
      provisioned_ = (in_[0] & 1u) != 0;
      in_ = in_.subspan(1);
    }
  }
  bool provisioned() const { return provisioned_; }

  bool Next(DispatchStep* out) {
    if (in_.size() < 3 || steps_ == kMaxDispatchSteps) return false;
    ++steps_;
    out->ctl = in_[0];
    size_t len = (size_t{in_[1]} << 8) | in_[2];
    in_ = in_.subspan(3);
    if (len > in_.size()) len = in_.size();
    out->payload = in_.first(len);
    in_ = in_.subspan(len);
    static constexpr uint64_t kAdvance[4] = {0, 1000, 61'000, 86'400'000};
    out->advance_ms = kAdvance[(out->ctl >> 4) & 3u];
    out->trip_tamper = (out->ctl & kCtlTamper) == kCtlTamper;
    return true;
  }

 private:
  ByteSpan in_;
  bool provisioned_ = false;
  size_t steps_ = 0;
};

// AppendStep appends a step (for the seed generator).
inline void AppendStep(std::vector<uint8_t>& script, uint8_t ctl, ByteSpan payload) {
  script.push_back(ctl);
  script.push_back(static_cast<uint8_t>(payload.size() >> 8));
  script.push_back(static_cast<uint8_t>(payload.size()));
  script.insert(script.end(), payload.begin(), payload.end());
}

template <typename Bytes>
void SetBytes(Bytes& field, ByteSpan value) {
  const size_t n = value.size() < sizeof(field.bytes) ? value.size() : sizeof(field.bytes);
  if (n != 0) std::memcpy(field.bytes, value.data(), n);
  field.size = static_cast<pb_size_t>(n);
}

// ApplyFixups applies |step|'s ctl bits to the decoded |req|.
inline void ApplyFixups(const DispatchStep& step, const DispatchCustodians& custodians,
                        ByteSpan nonce, appliance::link::Request* req) {
  if ((step.ctl & kCtlFixNonce) != 0) {
    switch (req->which_body) {
      case pki_appliance_v1_Request_submit_share_tag:
        SetBytes(req->body.submit_share.nonce, nonce);
        break;
      case pki_appliance_v1_Request_execute_tag:
        SetBytes(req->body.execute.nonce, nonce);
        break;
      case pki_appliance_v1_Request_abort_tag:
        SetBytes(req->body.abort.nonce, nonce);
        break;
      default:
        break;
    }
  }
  if ((step.ctl & kCtlFillShare) != 0 && !custodians.empty() &&
      req->which_body == pki_appliance_v1_Request_submit_share_tag) {
    const DispatchCustodian& c = custodians[((step.ctl >> 2) & 3u) % custodians.size()];
    auto& s = req->body.submit_share;
    CopyString(s.custodian, sizeof(s.custodian), c.name);
    CopyString(s.passphrase, sizeof(s.passphrase), c.passphrase);
    SetBytes(s.wrapped_share, ByteSpan(c.wrapped.data(), c.wrapped.size()));
  }
#ifdef pki_appliance_v1_Request_confirm_share_tag
  if ((step.ctl & kCtlFillShare) != 0 && !custodians.empty() &&
      req->which_body == pki_appliance_v1_Request_confirm_share_tag) {
    const DispatchCustodian& c = custodians[((step.ctl >> 2) & 3u) % custodians.size()];
    auto& s = req->body.confirm_share;
    CopyString(s.custodian, sizeof(s.custodian), c.name);
    CopyString(s.passphrase, sizeof(s.passphrase), c.passphrase);
    SetBytes(s.wrapped_share, ByteSpan(c.wrapped.data(), c.wrapped.size()));
  }
#endif
}

}  // namespace pki::fuzz

#endif  // PKI_TESTS_FUZZ_APPLIANCE_DISPATCH_INPUT_H_
