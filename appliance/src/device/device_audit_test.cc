// device_audit_test.cc — SignTranscript and GetRootCertificate on a whole
// Appliance over fakes (real mbedTLS audit key, real journal).
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string_view>
#include <vector>

#include "crypto/digest.h"
#include "crypto/keypair.h"
#include "crypto/signature.h"
#include "device/device_test_util.h"
#include "journal/export.h"
#include "journal/record.h"

namespace pki::appliance::device::testing {
namespace {

constexpr std::string_view kLabel = "pki-transcript-v1";  // docs/appliance-link.md

std::array<uint8_t, 32> TestDigest(uint8_t seed) {
  std::array<uint8_t, 32> d{};
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(seed + 7 * i);
  return d;
}

link::Request SignTranscript(ByteSpan digest) {
  link::Request r = pki_appliance_v1_Request_init_zero;
  r.request_id = 1;
  r.which_body = pki_appliance_v1_Request_sign_transcript_tag;
  r.body.sign_transcript.transcript_sha256.size = static_cast<pb_size_t>(digest.size());
  std::memcpy(r.body.sign_transcript.transcript_sha256.bytes, digest.data(), digest.size());
  return r;
}

link::Request GetRoot() {
  link::Request r = pki_appliance_v1_Request_init_zero;
  r.request_id = 1;
  r.which_body = pki_appliance_v1_Request_get_root_certificate_tag;
  return r;
}

// ExportAll returns every journal record the device still holds.
std::vector<journal::Record> ExportAll(Harness& h) {
  std::vector<journal::Record> out;
  uint64_t from = 0;
  for (int i = 0; i < 100; ++i) {
    link::Request ex = pki_appliance_v1_Request_init_zero;
    ex.request_id = 1;
    ex.which_body = pki_appliance_v1_Request_export_journal_tag;
    ex.body.export_journal.from_sequence = from;
    link::Response chunk = h.Call(ex);
    EXPECT_EQ(chunk.which_body, pki_appliance_v1_Response_journal_chunk_tag) << MessageOf(chunk);
    const auto& c = chunk.body.journal_chunk;
    ByteSpan data(c.data.bytes, c.data.size);
    if (data.size() > journal::kExportHeaderSize) {
      const uint32_t count = LoadBe32(data.data() + 16);
      size_t pos = journal::kExportHeaderSize;
      for (uint32_t k = 0; k < count; ++k) {
        const size_t len = LoadBe16(data.data() + pos);
        journal::Record r;
        EXPECT_TRUE(journal::DecodeRecord(data.subspan(pos + 2, len), &r).ok());
        out.push_back(r);
        pos += 2 + len;
      }
    }
    from = c.next_sequence;
    if (c.last) break;
  }
  return out;
}

TEST(DeviceAudit, RefusedWhenUnprovisionedAndNothingJournaled) {
  Harness h;
  const uint64_t before = h.Call(Harness::GetStatus()).body.status.journal_sequence;
  const auto d = TestDigest(1);
  link::Response r = h.Call(SignTranscript(d));
  EXPECT_EQ(ErrorOf(r), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION) << MessageOf(r);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.journal_sequence, before);
  link::Response root = h.Call(GetRoot());
  EXPECT_EQ(ErrorOf(root), pki_appliance_v1_ErrorCode_ERROR_FAILED_PRECONDITION) << MessageOf(root);
}

TEST(DeviceAudit, SignatureVerifiesUnderTheAuditKeyWithTheLabelAndIsJournaled) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
  const link::Response st = h.Call(Harness::GetStatus());
  const auto d = TestDigest(42);
  link::Response r = h.Call(SignTranscript(d));
  ASSERT_EQ(r.which_body, pki_appliance_v1_Response_sign_transcript_tag) << MessageOf(r);
  const auto& s = r.body.sign_transcript;
  ASSERT_GT(s.signature.size, 0u);
  // The key it names is the one GetStatus reports.
  ASSERT_EQ(s.audit_public_key.size, st.body.status.audit_public_key.size);
  EXPECT_EQ(std::memcmp(s.audit_public_key.bytes, st.body.status.audit_public_key.bytes,
                        s.audit_public_key.size), 0);

  auto key = crypto::PublicKey::FromSpki(ByteSpan(s.audit_public_key.bytes, s.audit_public_key.size));
  ASSERT_TRUE(key.ok()) << key.status().message();
  std::vector<uint8_t> message(kLabel.begin(), kLabel.end());
  message.insert(message.end(), d.begin(), d.end());
  ByteSpan sig(s.signature.bytes, s.signature.size);
  EXPECT_TRUE(crypto::Verify(*key, crypto::HashAlg::kSha256, message, sig).ok());
  // Domain separation: not a signature over the bare digest, nor over
  // another label.
  EXPECT_FALSE(crypto::Verify(*key, crypto::HashAlg::kSha256, d, sig).ok());
  std::vector<uint8_t> other(message);
  other[4] ^= 1;
  EXPECT_FALSE(crypto::Verify(*key, crypto::HashAlg::kSha256, other, sig).ok());

  // Journaled: a SignTranscript record with the digest as its input and the
  // signature's SHA-256 as its output, at the sequence the response names.
  const link::Response after = h.Call(Harness::GetStatus());
  EXPECT_GT(after.body.status.journal_sequence, st.body.status.journal_sequence);
  std::vector<journal::Record> records = ExportAll(h);
  bool found = false;
  for (const auto& rec : records) {
    if (rec.entry.type != static_cast<uint16_t>(EventType::kSignTranscript)) continue;
    found = true;
    EXPECT_EQ(rec.seq, s.journal_sequence);
    EXPECT_EQ(std::memcmp(rec.entry.inputs_sha256.data(), d.data(), 32), 0);
    const crypto::Sha256Digest sh = crypto::Sha256(sig);
    EXPECT_EQ(std::memcmp(rec.entry.outputs_sha256.data(), sh.data(), 32), 0);
  }
  EXPECT_TRUE(found);
}

TEST(DeviceAudit, BadDigestLengthIsRefusedByName) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
  const uint64_t before = h.Call(Harness::GetStatus()).body.status.journal_sequence;
  const auto d = TestDigest(3);
  link::Response r = h.Call(SignTranscript(ByteSpan(d.data(), 31)));
  EXPECT_EQ(ErrorOf(r), pki_appliance_v1_ErrorCode_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(MessageOf(r).find("transcript_sha256"), std::string::npos) << MessageOf(r);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.journal_sequence, before);
}

TEST(DeviceAudit, AllowedWhileUnlockedWithoutDisturbingTheSession) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
  std::vector<uint8_t> nonce = h.Approve(Harness::BeginIssueCrl(30), {&cs[0], &cs[1]});
  ASSERT_EQ(h.Call(Harness::GetStatus()).body.status.state, pki_appliance_v1_DeviceState_UNLOCKED);
  link::Response r = h.Call(SignTranscript(TestDigest(9)));
  EXPECT_EQ(r.which_body, pki_appliance_v1_Response_sign_transcript_tag) << MessageOf(r);
  EXPECT_EQ(h.Call(Harness::GetStatus()).body.status.state, pki_appliance_v1_DeviceState_UNLOCKED);
  link::Response ex = h.Call(Harness::Execute(nonce));
  EXPECT_EQ(ex.which_body, pki_appliance_v1_Response_execute_tag) << MessageOf(ex);
}

TEST(DeviceAudit, FullJournalRefusesToSign) {
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
  ASSERT_EQ(ErrorOf(last), pki_appliance_v1_ErrorCode_ERROR_RESOURCE_EXHAUSTED) << MessageOf(last);
  link::Response r = h.Call(SignTranscript(TestDigest(5)));
  EXPECT_EQ(ErrorOf(r), pki_appliance_v1_ErrorCode_ERROR_RESOURCE_EXHAUSTED) << MessageOf(r);
  EXPECT_NE(r.which_body, pki_appliance_v1_Response_sign_transcript_tag);
}

// The decommission ceremony's transcript is signed after the root is gone:
// the audit key (which never signs certificates) outlives the root key.
TEST(DeviceAudit, SignsTranscriptWhenDecommissioned) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
  std::vector<uint8_t> nonce = h.Approve(Harness::BeginDecommission("end of life"), {&cs[0], &cs[1]});
  link::Response ex = h.Call(Harness::Execute(nonce));
  ASSERT_EQ(ex.which_body, pki_appliance_v1_Response_execute_tag) << MessageOf(ex);
  ASSERT_EQ(h.Call(Harness::GetStatus()).body.status.state, pki_appliance_v1_DeviceState_DECOMMISSIONED);
  link::Response r = h.Call(SignTranscript(TestDigest(6)));
  EXPECT_EQ(r.which_body, pki_appliance_v1_Response_sign_transcript_tag) << MessageOf(r);
  // The Execute result was the destruction record: a signed journal export
  // starting at the DECOMMISSION record.
  EXPECT_GT(ex.body.execute.result_size, 0u);
  // The root certificate stays readable (the decommissioned root is still
  // what relying parties check against).
  link::Response root = h.Call(GetRoot());
  EXPECT_EQ(root.which_body, pki_appliance_v1_Response_root_certificate_tag) << MessageOf(root);
}

TEST(DeviceAudit, TamperedDeviceRefusesBoth) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
  h.tamper().Trigger();
  h.device().Tick();
  EXPECT_EQ(ErrorOf(h.Call(SignTranscript(TestDigest(8)))), pki_appliance_v1_ErrorCode_ERROR_TAMPERED);
  EXPECT_EQ(ErrorOf(h.Call(GetRoot())), pki_appliance_v1_ErrorCode_ERROR_TAMPERED);
}

TEST(DeviceAudit, RootCertificateMatchesStatusAfterOperationsAndReboot) {
  Harness h;
  auto cs = Harness::ThreeCustodians();
  ASSERT_EQ(h.Provision(cs, 2).which_body, pki_appliance_v1_Response_init_tag);
  const std::vector<uint8_t> fetched = h.FetchAll();
  // An operation replaces the result buffer; the root stays available.
  std::vector<uint8_t> nonce = h.Approve(Harness::BeginIssueCrl(30), {&cs[0], &cs[1]});
  ASSERT_EQ(h.Call(Harness::Execute(nonce)).which_body, pki_appliance_v1_Response_execute_tag);
  ASSERT_TRUE(h.PowerCycle().ok());
  link::Response r = h.Call(GetRoot());
  ASSERT_EQ(r.which_body, pki_appliance_v1_Response_root_certificate_tag) << MessageOf(r);
  std::vector<uint8_t> der(r.body.root_certificate.der.bytes,
                           r.body.root_certificate.der.bytes + r.body.root_certificate.der.size);
  EXPECT_EQ(der, fetched);
  const crypto::Sha256Digest hd = crypto::Sha256(der);
  const link::Response st = h.Call(Harness::GetStatus());
  ASSERT_EQ(st.body.status.root_cert_sha256.size, 32u);
  EXPECT_EQ(std::memcmp(hd.data(), st.body.status.root_cert_sha256.bytes, 32), 0);
}

}  // namespace
}  // namespace pki::appliance::device::testing
