// Tests of journal.h and export.h: real ECDSA audit key (crypto/ on mbedTLS),
// the fault-injecting fake storage for power cuts and full media.
#include "journal/journal.h"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "crypto/test_entropy.h"
#include "hw/fake/fake_storage.h"

namespace pki::appliance::journal {
namespace {

using Bytes = std::vector<uint8_t>;

// A signer that fails on demand: for the forced-audit tests.
class FlakySigner final : public AuditSigner {
 public:
  explicit FlakySigner(AuditSigner& real) : real_(real) {}
  StatusOr<size_t> Sign(ByteSpan message, MutableByteSpan out) override {
    if (fail_) return UnavailableError("test signer: injected failure");
    return real_.Sign(message, out);
  }
  bool fail_ = false;

 private:
  AuditSigner& real_;
};

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Drbg::Create(entropy_, AsBytes("journal-test"), drbg_).ok());
    auto key = crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP256, *drbg_);
    ASSERT_TRUE(key.ok()) << key.status().message();
    key_.emplace(std::move(key).value());
    auto other = crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP256, *drbg_);
    ASSERT_TRUE(other.ok());
    other_key_.emplace(std::move(other).value());
    signer_.emplace(*key_, *drbg_);
    flaky_.emplace(*signer_);
    spki_ = Spki(*key_);
    other_spki_ = Spki(*other_key_);
    auto s = hw::FakeStorage::Create();
    ASSERT_TRUE(s.ok());
    storage_ = std::move(s).value();
  }

  static Bytes Spki(const crypto::KeyPair& k) {
    std::array<uint8_t, crypto::kMaxSpkiDer> buf{};
    auto n = k.WriteSpki(buf);
    EXPECT_TRUE(n.ok());
    return Bytes(buf.begin(), buf.begin() + static_cast<long>(*n));
  }

  Status Open(uint32_t capacity = 64, uint32_t interval = 4) {
    journal_.reset();
    JournalConfig config;
    config.capacity = capacity;
    config.checkpoint_interval = interval;
    return Journal::Open(*storage_, *flaky_, config, journal_);
  }

  static JournalEntry Entry(uint16_t type, int64_t time, uint8_t fill) {
    JournalEntry e;
    e.type = type;
    e.time = time;
    e.custodians = 0b10101;
    e.inputs_sha256.fill(fill);
    e.outputs_sha256.fill(static_cast<uint8_t>(~fill));
    return e;
  }

  Bytes ExportFrom(uint64_t from, size_t cap = 16384) {
    Bytes out(cap);
    size_t size = 0;
    auto sum = journal_->Export(from, out, &size);
    EXPECT_TRUE(sum.ok()) << sum.status().message();
    out.resize(size);
    return out;
  }

  StatusOr<ExportSummary> Verify(const Bytes& exported) {
    return VerifyJournalExportWithKey(exported, spki_);
  }

  crypto::testing::SeededEntropy entropy_{11};
  std::optional<crypto::Drbg> drbg_;
  std::optional<crypto::KeyPair> key_;
  std::optional<crypto::KeyPair> other_key_;
  std::optional<CryptoAuditSigner> signer_;
  std::optional<FlakySigner> flaky_;
  Bytes spki_;
  Bytes other_spki_;
  std::unique_ptr<hw::FakeStorage> storage_;
  std::optional<Journal> journal_;
};

void ExpectDataLoss(const StatusOr<ExportSummary>& got, std::string_view fragment) {
  ASSERT_FALSE(got.ok()) << "verification passed but should fail: " << fragment;
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(std::string(got.status().message()).find(fragment), std::string::npos)
      << got.status().message();
}

TEST_F(JournalTest, AppendExportVerify) {
  ASSERT_TRUE(Open().ok());
  for (uint8_t i = 0; i < 10; ++i) {
    auto seq = journal_->Append(Entry(kRecordSignIntermediate, 1700000000 + i, i));
    ASSERT_TRUE(seq.ok()) << seq.status().message();
  }
  // Interval 4: a checkpoint after every 4 ordinary records (seq 4 and 9).
  EXPECT_EQ(journal_->state().next_seq, 12u);
  Record r;
  ASSERT_TRUE(journal_->ReadRecord(4, &r).ok());
  EXPECT_EQ(r.entry.type, kRecordCheckpoint);
  ASSERT_TRUE(journal_->ReadRecord(3, &r).ok());
  EXPECT_EQ(r.entry.type, kRecordSignIntermediate);
  EXPECT_EQ(r.entry.custodians, 0b10101);
  EXPECT_EQ(r.entry.inputs_sha256[0], 3);
  ASSERT_TRUE(journal_->ReadRecord(9, &r).ok());
  EXPECT_EQ(r.entry.type, kRecordCheckpoint);

  const Bytes exported = ExportFrom(0);
  auto sum = Verify(exported);
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ(sum->first_seq, 0u);
  EXPECT_EQ(sum->last_seq, 11u);
  EXPECT_EQ(sum->count, 12u);
  EXPECT_EQ(sum->checkpoints, 2u);
  EXPECT_EQ(sum->head, journal_->state().head);
  EXPECT_EQ(sum->first_prev, Hash{});
  // Another key does not verify it.
  EXPECT_FALSE(VerifyJournalExportWithKey(exported, other_spki_).ok());
}

// What the host writes for a multi-chunk ExportJournal: small buffers give
// several signed exports back to back; the stream verifier checks each and
// their continuity, and names the chunk that fails.
TEST_F(JournalTest, MultiChunkExportStreamVerifies) {
  ASSERT_TRUE(Open().ok());
  for (uint8_t i = 0; i < 20; ++i) {
    ASSERT_TRUE(journal_->Append(Entry(kRecordIssueCrl, 1700000000 + i, i)).ok());
  }
  const uint64_t end = journal_->state().next_seq;
  // Room for about four records per chunk.
  const size_t cap = kExportHeaderSize + 4 * (2 + kMaxRecordSize) + kMaxExportTrailerSize;
  std::vector<Bytes> chunks;
  for (uint64_t from = 0; from < end;) {
    Bytes c(cap);
    size_t size = 0;
    auto sum = journal_->Export(from, c, &size);
    ASSERT_TRUE(sum.ok()) << sum.status().message();
    c.resize(size);
    chunks.push_back(c);
    from = sum->last_seq + 1;
  }
  ASSERT_GE(chunks.size(), 4u);
  auto join = [](const std::vector<Bytes>& parts) {
    Bytes all;
    for (const Bytes& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
  };
  auto sum = Verify(join(chunks));
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ(sum->first_seq, 0u);
  EXPECT_EQ(sum->last_seq, end - 1);
  EXPECT_EQ(sum->count, end);
  EXPECT_EQ(sum->head, journal_->state().head);
  // The single-export verifier refuses the concatenation (extra bytes).
  std::optional<CryptoAuditVerifier> verifier;
  ASSERT_TRUE(CryptoAuditVerifier::Create(spki_, verifier).ok());
  EXPECT_FALSE(VerifyJournalExport(join(chunks), *verifier).ok());
  // A dropped middle chunk, swapped chunks, a repeated chunk, a truncated
  // last chunk and an edited byte in chunk 3 each fail.
  std::vector<Bytes> dropped = chunks;
  dropped.erase(dropped.begin() + 1);
  ExpectDataLoss(Verify(join(dropped)), "chunk 2");
  std::vector<Bytes> swapped = chunks;
  std::swap(swapped[1], swapped[2]);
  ExpectDataLoss(Verify(join(swapped)), "does not continue");
  std::vector<Bytes> repeated = chunks;
  repeated.insert(repeated.begin() + 1, chunks[0]);
  ExpectDataLoss(Verify(join(repeated)), "chunk 2");
  Bytes truncated = join(chunks);
  truncated.resize(truncated.size() - 3);
  ExpectDataLoss(Verify(truncated), "chunk");
  std::vector<Bytes> edited = chunks;
  edited[2][kExportHeaderSize + 10] ^= 0x01;
  ExpectDataLoss(Verify(join(edited)), "chunk 3");
}

class TamperTest : public JournalTest {
 protected:
  void SetUp() override {
    JournalTest::SetUp();
    ASSERT_TRUE(Open(64, 4).ok());
    for (uint8_t i = 0; i < 8; ++i) {
      ASSERT_TRUE(journal_->Append(Entry(kRecordIssueCrl, 1000 + i, i)).ok());
    }
    exported_ = ExportFrom(0);
    ASSERT_TRUE(Verify(exported_).ok());
    // Offsets of each record's body in the export.
    size_t pos = kExportHeaderSize;
    for (uint32_t i = 0; i < LoadBe32(exported_.data() + 16); ++i) {
      const size_t len = LoadBe16(exported_.data() + pos);
      offsets_.push_back(pos + 2);
      lengths_.push_back(len);
      pos += 2 + len;
    }
    trailer_ = pos;
  }
  Bytes exported_;
  std::vector<size_t> offsets_;
  std::vector<size_t> lengths_;
  size_t trailer_ = 0;
};

TEST_F(TamperTest, EditedRecordIsNamed) {
  Bytes t = exported_;
  t[offsets_[5] + 25] ^= 0x40;  // record 5's inputs hash
  ExpectDataLoss(Verify(t), "record seq 5: does not match the chain");
  // The time of record 0.
  t = exported_;
  t[offsets_[0] + 19] ^= 0x01;
  ExpectDataLoss(Verify(t), "record seq 0: does not match the chain");
  // The last record, a checkpoint: its own signature.
  t = exported_;
  t[offsets_.back() + 12] ^= 0x01;
  ExpectDataLoss(Verify(t), "record seq 9: checkpoint signature");
  // The last record, an ordinary one: caught by the trailer's signed head.
  ASSERT_TRUE(journal_->Append(Entry(kRecordIssueCrl, 2000, 0x77)).ok());
  t = ExportFrom(0);
  ASSERT_TRUE(Verify(t).ok());
  size_t pos = kExportHeaderSize;
  for (int i = 0; i < 10; ++i) pos += 2 + LoadBe16(t.data() + pos);
  t[pos + 2 + 25] ^= 0x01;  // record 10's inputs hash
  {
    auto got = Verify(t);
    ASSERT_FALSE(got.ok());
    EXPECT_NE(std::string(got.status().message()).find("record seq 10"), std::string::npos)
        << got.status().message();
  }
  // A checkpoint's signature.
  t = exported_;
  t[offsets_[4] + kRecordFixedSize + 10] ^= 0x01;
  ExpectDataLoss(Verify(t), "record seq 4: checkpoint signature");
}

TEST_F(TamperTest, ReorderedRecordsAreNamed) {
  ASSERT_EQ(lengths_[1], lengths_[2]);
  Bytes t = exported_;
  std::swap_ranges(t.begin() + static_cast<long>(offsets_[1]),
                   t.begin() + static_cast<long>(offsets_[1] + lengths_[1]),
                   t.begin() + static_cast<long>(offsets_[2]));
  ExpectDataLoss(Verify(t), "position 1 has seq 2, expected 1");
  // Renumbering the swapped records does not help: the chain breaks.
  StoreBe64(t.data() + offsets_[1], 1);
  StoreBe64(t.data() + offsets_[2], 2);
  ExpectDataLoss(Verify(t), "does not match the chain");
}

TEST_F(TamperTest, TruncationIsDetected) {
  // Records cut off at the end, header untouched.
  Bytes t(exported_.begin(), exported_.begin() + static_cast<long>(offsets_[6] - 2));
  ExpectDataLoss(Verify(t), "truncated: header says 10 records, found 6");
  // ...with the header's count fixed up and the old trailer moved: the
  // trailer's signature covers the header.
  Bytes fixed(exported_.begin(), exported_.begin() + static_cast<long>(offsets_[6] - 2));
  StoreBe32(fixed.data() + 16, 6);
  fixed.insert(fixed.end(), exported_.begin() + static_cast<long>(trailer_), exported_.end());
  ExpectDataLoss(Verify(fixed), "trailer");
  // The trailer cut.
  t.assign(exported_.begin(), exported_.begin() + static_cast<long>(trailer_) + 20);
  ExpectDataLoss(Verify(t), "trailer");
  t.assign(exported_.begin(), exported_.begin() + static_cast<long>(trailer_));
  ExpectDataLoss(Verify(t), "truncated: the signed trailer is missing");
  // A record dropped from the middle (count fixed): sequence gap.
  t.assign(exported_.begin(), exported_.begin() + static_cast<long>(offsets_[4] - 2));
  t.insert(t.end(), exported_.begin() + static_cast<long>(offsets_[5] - 2), exported_.end());
  StoreBe32(t.data() + 16, 9);
  ExpectDataLoss(Verify(t), "position 4 has seq 5, expected 4");
  // Garbage instead of an export.
  ExpectDataLoss(Verify(Bytes(10, 0)), "header");
}

TEST_F(JournalTest, FullJournalRefusesUntilExportAndAck) {
  ASSERT_TRUE(Open(8, 0).ok());
  for (uint8_t i = 0; i < 8; ++i) ASSERT_TRUE(journal_->Append(Entry(kRecordRevoke, i, i)).ok());
  EXPECT_EQ(journal_->Free(), 0u);
  auto full = journal_->Append(Entry(kRecordRevoke, 9, 9));
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(journal_->Checkpoint(9).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(journal_->Acknowledge(3).code(), StatusCode::kFailedPrecondition);

  // Export in two chunks (a small buffer), then acknowledge the first part.
  Bytes first(kExportHeaderSize + 4 * (2 + kRecordFixedSize) + kMaxExportTrailerSize);
  size_t size = 0;
  auto sum = journal_->Export(0, first, &size);
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  first.resize(size);
  EXPECT_EQ(sum->last_seq, 3u);
  auto v1 = Verify(first);
  ASSERT_TRUE(v1.ok()) << v1.status().message();
  EXPECT_EQ(journal_->Acknowledge(4).code(), StatusCode::kFailedPrecondition);  // not exported
  ASSERT_TRUE(journal_->Acknowledge(3).ok());
  ASSERT_TRUE(journal_->Acknowledge(2).ok());  // a retried ack is harmless
  EXPECT_EQ(journal_->state().first_seq, 4u);
  EXPECT_EQ(journal_->Free(), 4u);
  size_t dummy = 0;
  Bytes buf(4096);
  EXPECT_EQ(journal_->Export(2, buf, &dummy).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(journal_->Export(8, buf, &dummy).status().code(), StatusCode::kOutOfRange);

  // The ring wraps; sequence numbers keep going up.
  for (uint8_t i = 0; i < 4; ++i) {
    auto seq = journal_->Append(Entry(kRecordRevoke, 20 + i, i));
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(*seq, 8u + i);
  }
  const Bytes second = ExportFrom(4);
  auto v2 = Verify(second);
  ASSERT_TRUE(v2.ok()) << v2.status().message();
  EXPECT_EQ(v2->first_seq, 4u);
  EXPECT_EQ(v2->last_seq, 11u);
  // The second export links to the first: record 4's prev is record 3's hash.
  EXPECT_EQ(v2->first_prev, v1->head);
}

TEST_F(JournalTest, CountersAndSequencePersistAcrossRestarts) {
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(journal_->state().boot_count, 1u);
  ASSERT_TRUE(journal_->Append(Entry(kRecordBoot, 1, 1)).ok());
  ASSERT_TRUE(journal_->RecordFailedAttempt().ok());
  auto two = journal_->RecordFailedAttempt();
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, 2u);
  const Hash head = journal_->state().head;
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(journal_->state().boot_count, 2u);
  EXPECT_EQ(journal_->state().failed_attempts, 2u);
  EXPECT_EQ(journal_->state().next_seq, 1u);
  EXPECT_EQ(journal_->state().head, head);
  auto seq = journal_->Append(Entry(kRecordBoot, 2, 2));
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 1u);
  ASSERT_TRUE(Verify(ExportFrom(0)).ok());
  // Reopening with another capacity is refused rather than misreading the ring.
  EXPECT_EQ(Open(32).code(), StatusCode::kFailedPrecondition);
}

// A power cut at every storage write of an append (record, meta, and the
// checkpoint's record and meta), dropped or torn: after the reboot the
// journal verifies, holds the old or the new records, and sequence numbers
// never go back.
TEST_F(JournalTest, PowerCutAtEveryWriteOfAnAppend) {
  int cases = 0;
  for (uint64_t cut = 1; cut <= 4; ++cut) {
    for (size_t torn : {size_t{0}, size_t{1}, size_t{30}, size_t{120}, size_t{200}}) {
      SetUp();  // fresh storage
      ASSERT_TRUE(Open(64, 4).ok());
      uint64_t max_returned = 0;
      for (uint8_t i = 0; i < 3; ++i) {
        auto s = journal_->Append(Entry(kRecordQuorum, i, i));
        ASSERT_TRUE(s.ok());
        max_returned = *s;
      }
      const uint64_t before = journal_->state().next_seq;  // 3; the next append checkpoints
      storage_->medium().CutPowerAt(cut, torn);
      auto cut_append = journal_->Append(Entry(kRecordQuorum, 7, 7));
      EXPECT_FALSE(cut_append.ok());
      storage_->medium().PowerOn();
      ASSERT_TRUE(Open(64, 4).ok()) << "cut " << cut << " torn " << torn;
      const uint64_t after = journal_->state().next_seq;
      EXPECT_GE(after, before) << "cut " << cut << " torn " << torn;
      EXPECT_LE(after, before + 2);
      EXPECT_GT(after, max_returned);
      auto sum = Verify(ExportFrom(0));
      ASSERT_TRUE(sum.ok()) << sum.status().message() << " cut " << cut << " torn " << torn;
      EXPECT_EQ(sum->last_seq + 1, after);
      auto next = journal_->Append(Entry(kRecordQuorum, 8, 8));
      ASSERT_TRUE(next.ok()) << next.status().message();
      EXPECT_EQ(*next, after);
      ASSERT_TRUE(Verify(ExportFrom(0)).ok());
      ++cases;
    }
  }
  EXPECT_EQ(cases, 20);
}

TEST_F(JournalTest, ForcedAuditRefusesWhenTheRecordCannotBeWritten) {
  ASSERT_TRUE(Open(64, 0).ok());
  ASSERT_TRUE(journal_->Append(Entry(kRecordSetTime, 1, 1)).ok());
  // The medium is full: the append fails, nothing changes.
  storage_->medium().SetCapacity(storage_->medium().used_bytes());
  auto refused = journal_->Append(Entry(kRecordSetTime, 2, 2));
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(journal_->state().next_seq, 1u);
  storage_->medium().SetCapacity(1 << 20);
  auto ok = journal_->Append(Entry(kRecordSetTime, 3, 3));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 1u);
  // The audit key fails: a due checkpoint makes the append fail too.
  ASSERT_TRUE(Open(64, 2).ok());
  flaky_->fail_ = true;
  EXPECT_EQ(journal_->Append(Entry(kRecordSetTime, 4, 4)).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(journal_->Checkpoint(5).status().code(), StatusCode::kUnavailable);
  flaky_->fail_ = false;
  ASSERT_TRUE(journal_->Checkpoint(6).ok());
  ASSERT_TRUE(Verify(ExportFrom(0)).ok());
  // The checkpoint type is reserved for the journal itself.
  EXPECT_EQ(journal_->Append(Entry(kRecordCheckpoint, 7, 7)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(JournalTest, CorruptMetaIsDataLoss) {
  ASSERT_TRUE(Open().ok());
  std::array<uint8_t, 84> junk{};
  ASSERT_TRUE(storage_->Write(kMetaKey, junk).ok());
  EXPECT_EQ(Open().code(), StatusCode::kDataLoss);
}

TEST(JournalRecord, DecodeRejectsMalformed) {
  Record r;
  r.seq = 5;
  r.entry.type = kRecordRevoke;
  std::array<uint8_t, kMaxRecordSize> buf{};
  auto n = EncodeRecord(r, buf);
  ASSERT_TRUE(n.ok());
  Record back;
  ASSERT_TRUE(DecodeRecord(ByteSpan(buf.data(), *n), &back).ok());
  EXPECT_EQ(back.seq, 5u);
  EXPECT_FALSE(DecodeRecord(ByteSpan(buf.data(), *n - 1), &back).ok());
  StoreBe16(buf.data() + 116, 4);  // a signature on an ordinary record
  EXPECT_FALSE(DecodeRecord(ByteSpan(buf.data(), *n + 4), &back).ok());
  r.entry.type = kRecordCheckpoint;  // a checkpoint without one
  n = EncodeRecord(r, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(DecodeRecord(ByteSpan(buf.data(), *n), &back).ok());
}

}  // namespace
}  // namespace pki::appliance::journal
