// fuzz_seedgen — writes the seed corpora that need real encoded messages:
//   appliance_dispatch/  request scripts (appliance_dispatch_input.h): every
//                        request kind, whole quorum operations (begin,
//                        shares, execute, fetch), provisioning, tamper
//   custody_share/       real wrapped shares of custody_share_setup.h's split
//   host_link_reader/    framed Responses as the appliance sends them
// Usage: fuzz_seedgen CORPUS_ROOT CSR_DER CERT_DER
// (CSR_DER: a PKCS#10 request for sign_intermediate, CERT_DER: another root
// for cross_sign; tests/fuzz/make_seeds.sh makes both with openssl and runs
// this). Test-only tool, not a test; deterministic.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "appliance_dispatch_input.h"
#include "custody_share_setup.h"
#include "link/codec.h"
#include "link/frame.h"

namespace {

namespace fz = pki::fuzz;
namespace link = pki::appliance::link;
using Bytes = std::vector<uint8_t>;

void Write(const std::filesystem::path& path, const Bytes& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  PKI_CHECK(out.good());
}

Bytes Read(const char* path) {
  std::ifstream in(path, std::ios::binary);
  PKI_CHECK(in.good());
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Bytes Encode(const link::Request& r) {
  Bytes buf(link::kMaxPayload);
  auto n = link::EncodeRequest(buf, r);
  PKI_CHECK(n.ok());
  buf.resize(*n);
  return buf;
}

link::Request Empty(pb_size_t tag) {
  link::Request r = pki_appliance_v1_Request_init_zero;
  r.request_id = 1;
  r.which_body = tag;
  return r;
}

link::Request Begin(pb_size_t tag) {
  link::Request r = Empty(pki_appliance_v1_Request_begin_operation_tag);
  r.body.begin_operation.which_params = tag;
  return r;
}

// A script under construction.
class Script {
 public:
  explicit Script(bool provisioned) { bytes_.push_back(provisioned ? 1 : 0); }
  Script& Add(const link::Request& r, uint8_t ctl = 0) {
    Bytes e = Encode(r);
    fz::AppendStep(bytes_, ctl, e);
    return *this;
  }
  // Approve: two shares (alice, bob) for the last BeginOperation, then
  // Execute and a FetchResult.
  Script& Approve(bool execute = true) {
    Add(Empty(pki_appliance_v1_Request_submit_share_tag), fz::kCtlFixNonce | fz::kCtlFillShare | (0 << 2));
    Add(Empty(pki_appliance_v1_Request_submit_share_tag), fz::kCtlFixNonce | fz::kCtlFillShare | (1 << 2));
    if (execute) {
      Add(Empty(pki_appliance_v1_Request_execute_tag), fz::kCtlFixNonce);
      Add(Empty(pki_appliance_v1_Request_fetch_result_tag));
    }
    return *this;
  }
  const Bytes& bytes() const { return bytes_; }

 private:
  Bytes bytes_;
};

void DispatchSeeds(const std::filesystem::path& dir, const Bytes& csr, const Bytes& cert) {
  const auto status = Empty(pki_appliance_v1_Request_get_status_tag);
  Write(dir / "status_locked", Script(true).Add(status).bytes());
  Write(dir / "status_blank", Script(false).Add(status).bytes());

  {  // provisioning from blank: set time, init 2-of-3, root certificate
    link::Request t = Empty(pki_appliance_v1_Request_set_time_tag);
    t.body.set_time.unix_seconds = fz::kDispatchStartTime + 3600;
    Write(dir / "init_blank", Script(false)
                                  .Add(t)
                                  .Add(fz::MakeDispatchInit(fz::DefaultDispatchCustodians()))
                                  .Add(Empty(pki_appliance_v1_Request_fetch_result_tag))
                                  .Add(Empty(pki_appliance_v1_Request_get_root_certificate_tag))
                                  .Add(status)
                                  .bytes());
  }
  {
    link::Request b = Begin(pki_appliance_v1_BeginOperationRequest_issue_crl_tag);
    b.body.begin_operation.params.issue_crl.next_update_days = 30;
    Write(dir / "issue_crl", Script(true).Add(b).Approve().Add(status).bytes());
  }
  {
    link::Request b = Begin(pki_appliance_v1_BeginOperationRequest_revoke_tag);
    auto& v = b.body.begin_operation.params.revoke;
    v.serial.size = 20;
    for (uint8_t i = 0; i < 20; ++i) v.serial.bytes[i] = static_cast<uint8_t>(0x11 + i);
    v.reason = 1;
    link::Request crl = Begin(pki_appliance_v1_BeginOperationRequest_issue_crl_tag);
    crl.body.begin_operation.params.issue_crl.next_update_days = 7;
    Write(dir / "revoke_then_crl", Script(true).Add(b).Approve().Add(crl).Approve().bytes());
  }
  {
    link::Request b = Begin(pki_appliance_v1_BeginOperationRequest_set_time_tag);
    b.body.begin_operation.params.set_time.unix_seconds = fz::kDispatchStartTime + 86400;
    Write(dir / "set_time_quorum", Script(true).Add(b).Approve().bytes());
  }
  {
    link::Request b = Begin(pki_appliance_v1_BeginOperationRequest_sign_intermediate_tag);
    auto& s = b.body.begin_operation.params.sign_intermediate;
    fz::SetBytes(s.csr_der, pki::ByteSpan(csr.data(), csr.size()));
    s.has_profile = true;
    fz::CopyString(s.profile.name, sizeof(s.profile.name), "issuing-tls");
    s.profile.validity_days = 1825;
    s.profile.path_len = 0;
    s.profile.permitted_dns_count = 1;
    fz::CopyString(s.profile.permitted_dns[0], sizeof(s.profile.permitted_dns[0]), "example.com");
    Write(dir / "sign_intermediate", Script(true)
                                         .Add(b)
                                         .Add(Empty(pki_appliance_v1_Request_fetch_result_tag))
                                         .Approve()
                                         .bytes());
  }
  {
    link::Request b = Begin(pki_appliance_v1_BeginOperationRequest_cross_sign_tag);
    auto& c = b.body.begin_operation.params.cross_sign;
    fz::SetBytes(c.cert_der, pki::ByteSpan(cert.data(), cert.size()));
    c.validity_days = 365;
    c.path_len = -2;
    Write(dir / "cross_sign", Script(true).Add(b).Approve().bytes());
  }
  {
    link::Request b = Begin(pki_appliance_v1_BeginOperationRequest_change_custodians_tag);
    auto& c = b.body.begin_operation.params.change_custodians;
    c.threshold = 2;
    c.custodians_count = 2;
    fz::CopyString(c.custodians[0].name, sizeof(c.custodians[0].name), "dave");
    fz::CopyString(c.custodians[0].passphrase, sizeof(c.custodians[0].passphrase), "dave's long passphrase");
    fz::CopyString(c.custodians[1].name, sizeof(c.custodians[1].name), "erin");
    fz::CopyString(c.custodians[1].passphrase, sizeof(c.custodians[1].passphrase), "erin's long passphrase");
    Write(dir / "change_custodians", Script(true).Add(b).Approve().Add(status).bytes());
  }
  {
    link::Request b = Begin(pki_appliance_v1_BeginOperationRequest_decommission_tag);
    fz::CopyString(b.body.begin_operation.params.decommission.reason,
                   sizeof(b.body.begin_operation.params.decommission.reason), "end of life");
    Write(dir / "decommission", Script(true).Add(b).Approve().Add(status).Add(b).bytes());
  }
  {
    link::Request b = Begin(pki_appliance_v1_BeginOperationRequest_issue_crl_tag);
    b.body.begin_operation.params.issue_crl.next_update_days = 30;
    Write(dir / "abort", Script(true)
                             .Add(b)
                             .Add(Empty(pki_appliance_v1_Request_submit_share_tag),
                                  fz::kCtlFixNonce | fz::kCtlFillShare)
                             .Add(Empty(pki_appliance_v1_Request_abort_tag), fz::kCtlFixNonce)
                             .Add(Empty(pki_appliance_v1_Request_execute_tag), fz::kCtlFixNonce)
                             .bytes());
    // The session times out between the shares (clock + 61 s).
    Write(dir / "quorum_timeout", Script(true)
                                      .Add(b)
                                      .Add(Empty(pki_appliance_v1_Request_submit_share_tag),
                                           fz::kCtlFixNonce | fz::kCtlFillShare)
                                      .Add(Empty(pki_appliance_v1_Request_submit_share_tag),
                                           fz::kCtlFixNonce | fz::kCtlFillShare | (1 << 2) | 0x20)
                                      .Add(Empty(pki_appliance_v1_Request_execute_tag), fz::kCtlFixNonce)
                                      .bytes());
  }
  {
    link::Request e = Empty(pki_appliance_v1_Request_export_journal_tag);
    link::Request a = Empty(pki_appliance_v1_Request_ack_export_tag);
    a.body.ack_export.up_to_sequence = 2;
    a.body.ack_export.head_sha256.size = 32;
    link::Request t = Empty(pki_appliance_v1_Request_sign_transcript_tag);
    t.body.sign_transcript.transcript_sha256.size = 32;
    std::memset(t.body.sign_transcript.transcript_sha256.bytes, 0xAB, 32);
    Write(dir / "journal_and_transcript",
          Script(true).Add(e).Add(a).Add(t).Add(Empty(pki_appliance_v1_Request_get_root_certificate_tag)).bytes());
    Write(dir / "tamper", Script(true).Add(status, fz::kCtlTamper).Add(e).Add(t).Add(status).bytes());
  }
}

void CustodySeeds(const std::filesystem::path& dir) {
  fz::CustodyRig rig;
  fz::SetUpCustody(rig);
  auto record = [&](Bytes& out, uint8_t sel, const Bytes& share) {
    out.push_back(sel);
    out.push_back(static_cast<uint8_t>(share.size()));
    out.insert(out.end(), share.begin(), share.end());
  };
  Bytes quorum, one, wrong, claimed, mismatch;
  record(quorum, 0, rig.shares[0]);
  record(quorum, 2, rig.shares[2]);
  record(one, 1, rig.shares[1]);
  record(wrong, 3, rig.shares[0]);
  record(claimed, 8 | 1, rig.shares[1]);
  record(mismatch, 1, rig.shares[0]);  // alice's share, bob's passphrase
  Bytes dup;
  record(dup, 0, rig.shares[0]);
  record(dup, 0, rig.shares[0]);
  Bytes crcfix;  // a flipped name byte with the CRC recomputed
  Bytes altered = rig.shares[2];
  altered[54] ^= 0x01;
  record(crcfix, 4 | 2, altered);
  Write(dir / "quorum_alice_carol", quorum);
  Write(dir / "bob_only", one);
  Write(dir / "wrong_passphrase", wrong);
  Write(dir / "claimed_name", claimed);
  Write(dir / "passphrase_of_another", mismatch);
  Write(dir / "duplicate", dup);
  Write(dir / "altered_crc_fixed", crcfix);
}

void HostLinkSeeds(const std::filesystem::path& dir) {
  auto frame = [](const link::Response& r) {
    Bytes payload(link::kMaxPayload);
    auto n = link::EncodeResponse(payload, r);
    PKI_CHECK(n.ok());
    Bytes out(link::kMaxFrameSize);
    auto f = link::EncodeFrame(out, link::kKindResponse, r.request_id,
                               pki::ByteSpan(payload.data(), *n));
    PKI_CHECK(f.ok());
    out.resize(*f);
    return out;
  };
  link::Response status = pki_appliance_v1_Response_init_zero;
  status.request_id = 7;
  status.which_body = pki_appliance_v1_Response_status_tag;
  status.body.status.state = pki_appliance_v1_DeviceState_LOCKED;
  fz::CopyString(status.body.status.device_id, sizeof(status.body.status.device_id), "fuzz-appliance-1");
  link::Response error = pki_appliance_v1_Response_init_zero;
  error.request_id = 0;
  error.which_body = pki_appliance_v1_Response_error_tag;
  error.body.error.code = pki_appliance_v1_ErrorCode_ERROR_BAD_FRAME;
  fz::CopyString(error.body.error.message, sizeof(error.body.error.message), "bad CRC (3)");
  link::Response chunk = pki_appliance_v1_Response_init_zero;
  chunk.request_id = 5;
  chunk.which_body = pki_appliance_v1_Response_result_chunk_tag;
  chunk.body.result_chunk.data.size = 1000;
  std::memset(chunk.body.result_chunk.data.bytes, 0x30, 1000);
  chunk.body.result_chunk.last = true;

  const Bytes s = frame(status), e = frame(error), c = frame(chunk);
  auto cat = [](std::initializer_list<Bytes> parts, uint8_t ctl) {
    Bytes out{ctl};
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  Write(dir / "status_read", cat({s}, 0));
  Write(dir / "status_call", cat({s}, 1));
  Write(dir / "error_then_status_call", cat({e, c, s}, 1));
  Write(dir / "garbage_then_frames", cat({Bytes{0xA5, 0x00, 0x5A, 0xA5, 0x5A, 0x01}, c, e}, 0));
  Bytes bad = s;
  bad[bad.size() - 1] ^= 0xFF;
  Write(dir / "bad_crc_fixed_up", cat({bad}, 2));
  Write(dir / "bad_crc", cat({bad, s}, 0));
  Bytes truncated(s.begin(), s.begin() + static_cast<long>(s.size() / 2));
  Write(dir / "truncated", cat({truncated}, 1));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: fuzz_seedgen CORPUS_ROOT CSR_DER CERT_DER\n");
    return 2;
  }
  const std::filesystem::path root(argv[1]);
  DispatchSeeds(root / "appliance_dispatch", Read(argv[2]), Read(argv[3]));
  CustodySeeds(root / "custody_share");
  HostLinkSeeds(root / "host_link_reader");
  std::printf("seeds written under %s\n", root.c_str());
  return 0;
}
