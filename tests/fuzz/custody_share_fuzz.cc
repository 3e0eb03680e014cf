// Fuzzes custodian share unwrapping on the appliance: the wrapped-share
// parser (checksum, layout, header), then the whole check a quorum applies
// to a submitted share (appliance tag, split id, M/N, name, PBKDF2 +
// AES-GCM unwrap, commitment), against a fixed 2-of-3 split
// (custody_share_setup.h).
//
// Input: up to three records, each
//   sel (1 byte) || length (1 byte) || wrapped share bytes
// sel bits 0-1: passphrase of custodian 0..2, or 3 = a wrong one;
// sel bit 2:    recompute the share's CRC-32 so mutations get past the
//               transcription check to the cryptographic ones;
// sel bit 3:    claim the name of the passphrase's custodian.
// All records go to one quorum session. Invariants (PKI_CHECK): a share is
// only accepted under its own custodian's passphrase; a complete quorum
// yields the KEK; a rejected share leaves the accepted count unchanged.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/crc32.h"
#include "custody_share_setup.h"

namespace {

namespace cu = pki::appliance::custody;
namespace fz = pki::fuzz;

// Shares whose header asks for more PBKDF2 iterations than this are parsed
// but not unwrapped: the appliance would run the KDF that many times (up to
// 2^32 - 1, see docs/fuzzing.md "Findings"), which only makes the fuzzer
// time out. Built with PKI_FUZZ_UNCAPPED_ITERATIONS (the
// fuzz_crash.custody_share_iterations test) the cap is off.
constexpr uint32_t kMaxFuzzIterations = 16;

fz::CustodyRig& Rig() {
  static fz::CustodyRig* rig = [] {
    auto* r = new fz::CustodyRig;
    fz::SetUpCustody(*r);
    return r;
  }();
  return *rig;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fz::CustodyRig& rig = Rig();
  pki::ByteSpan in(data, size);
  uint64_t now_ms = 1000;
  cu::OperationNonce nonce{};
  PKI_CHECK(rig.custody->BeginQuorum(now_ms, &nonce).ok());
  uint8_t accepted = 0;
  bool complete = false;
  for (int record = 0; record < 3 && in.size() >= 2; ++record) {
    const uint8_t sel = in[0];
    size_t len = in[1];
    in = in.subspan(2);
    if (len > in.size()) len = in.size();
    std::vector<uint8_t> share(in.begin(), in.begin() + static_cast<long>(len));
    in = in.subspan(len);
    if ((sel & 4u) != 0 && share.size() >= 4) {
      const size_t body = share.size() - 4;
      pki::StoreBe32(share.data() + body, pki::Crc32(pki::ByteSpan(share.data(), body)));
    }
    cu::ParsedShare parsed;
    uint8_t hint = 0;
    pki::Status st = cu::ParseWrappedShare(share, &parsed, &hint);
    if (st.ok()) {
      PKI_CHECK(parsed.header.index >= 1);
      PKI_CHECK(parsed.aad_body.size() + parsed.sealed.size() + 4 == share.size());
#ifndef PKI_FUZZ_UNCAPPED_ITERATIONS
      if (parsed.header.iterations > kMaxFuzzIterations) continue;
#endif
    } else {
      PKI_CHECK(!st.message().empty());
    }
    const size_t who = sel & 3u;
    const std::string_view pass =
        who < fz::kCustodyPassphrases.size() ? fz::kCustodyPassphrases[who] : "not the passphrase";
    const std::string_view claimed =
        (sel & 8u) != 0 && who < fz::kCustodyNames.size() ? fz::kCustodyNames[who] : "";
    now_ms += 10;
    auto r = rig.custody->SubmitShare(nonce, share, pki::AsBytes(pass), claimed, now_ms);
    if (r.ok()) {
      // Accepted: it decrypted under the passphrase of the custodian it names.
      PKI_CHECK(who < fz::kCustodyNames.size());
      PKI_CHECK(r->index == who + 1);
      PKI_CHECK(r->accepted == accepted + 1);
      accepted = r->accepted;
      complete = r->complete;
    } else {
      PKI_CHECK(!r.status().message().empty());
    }
  }
  auto kek = rig.custody->QuorumKek(nonce, now_ms);
  PKI_CHECK(kek.ok() == complete);
  rig.custody->EndQuorum();
  return 0;
}
