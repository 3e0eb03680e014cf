// Tests of custody.h, quorum.h, commitment.h and share.h together: real
// crypto (mbedTLS through crypto/), a seeded DRBG, the fault-injecting fake
// storage.
#include "custody/custody.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/crc32.h"
#include "crypto/test_entropy.h"
#include "custody/commitment.h"
#include "custody/split_record.h"
#include "hw/fake/fake_storage.h"

namespace pki::appliance::custody {
namespace {

using Bytes = std::vector<uint8_t>;
using Names = std::vector<std::string_view>;
constexpr uint64_t kTimeout = 60000;

std::string Pass(std::string_view name) { return "passphrase of " + std::string(name); }

class CustodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Drbg::Create(entropy_, AsBytes("custody-test"), drbg_).ok());
    auto s = hw::FakeStorage::Create();
    ASSERT_TRUE(s.ok());
    storage_ = std::move(s).value();
    ASSERT_TRUE(Open(*storage_, "appliance-A", custody_).ok());
  }

  Status Open(hw::Storage& storage, std::string_view id, std::optional<Custody>& out) {
    CustodyConfig config;
    config.share_iterations = 16;  // test build: fast KDF
    config.quorum_timeout_ms = kTimeout;
    return Custody::Create(storage, *drbg_, AsBytes(id), config, out);
  }

  // Provision stages, wraps, confirms and commits a split on |c|; returns the
  // wrapped shares (index i at [i-1]) and copies the KEK into |kek|.
  std::vector<Bytes> Provision(Custody& c, uint8_t m, const std::vector<std::string_view>& names,
                               Kek* kek) {
    std::vector<Bytes> shares;
    EXPECT_TRUE(c.BeginInitialSplit(m, names).ok());
    auto staged = c.StagedKek();
    EXPECT_TRUE(staged.ok());
    if (kek != nullptr) {
      EXPECT_TRUE(kek->Assign((*staged)->View(SecretAccess::Grant())).ok());
    }
    WrapAndConfirmAll(c, names, &shares);
    Status st = c.CommitStaged();
    EXPECT_TRUE(st.ok()) << st.message();
    return shares;
  }

  void WrapAndConfirmAll(Custody& c, const std::vector<std::string_view>& names,
                         std::vector<Bytes>* shares) {
    for (size_t i = 0; i < names.size(); ++i) {
      std::array<uint8_t, kMaxWrappedShareSize> buf{};
      auto n = c.WrapStagedShare(static_cast<uint8_t>(i + 1), AsBytes(Pass(names[i])), buf);
      ASSERT_TRUE(n.ok()) << n.status().message();
      shares->emplace_back(buf.begin(), buf.begin() + static_cast<long>(*n));
    }
    for (size_t i = 0; i < names.size(); ++i) {
      auto idx = c.ConfirmStagedShare((*shares)[i], AsBytes(Pass(names[i])));
      ASSERT_TRUE(idx.ok()) << idx.status().message();
      EXPECT_EQ(*idx, i + 1);
    }
  }

  StatusOr<SubmitResult> Submit(Custody& c, const OperationNonce& nonce, const Bytes& share,
                                std::string_view passphrase, uint64_t now = 1000) {
    return c.SubmitShare(nonce, share, AsBytes(passphrase), {}, now);
  }

  crypto::testing::SeededEntropy entropy_{7};
  std::optional<crypto::Drbg> drbg_;
  std::unique_ptr<hw::FakeStorage> storage_;
  std::optional<Custody> custody_;
  const std::vector<std::string_view> names_ = {"alice", "bob", "carol", "dave", "erin"};
};

// Expect |st| to have |code| and a message naming |custodian| and never
// holding a passphrase.
void ExpectNamed(const Status& st, StatusCode code, std::string_view custodian,
                 std::string_view fragment) {
  EXPECT_EQ(st.code(), code) << st.message();
  const std::string msg(st.message());
  EXPECT_NE(msg.find("custodian " + std::string(custodian)), std::string::npos) << msg;
  EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  EXPECT_EQ(msg.find("passphrase of"), std::string::npos) << msg;
}

TEST_F(CustodyTest, WrappedShareFormatFitsTheLinkAndCarriesItsHeader) {
  Kek kek;
  auto shares = Provision(*custody_, 3, names_, &kek);
  ASSERT_EQ(shares.size(), 5u);
  for (size_t i = 0; i < shares.size(); ++i) {
    EXPECT_LE(shares[i].size(), 160u);  // link.options WrappedShare.wrapped
    ParsedShare p;
    ASSERT_TRUE(ParseWrappedShare(shares[i], &p).ok());
    EXPECT_EQ(p.header.index, i + 1);
    EXPECT_EQ(p.header.threshold, 3);
    EXPECT_EQ(p.header.count, 5);
    EXPECT_EQ(p.header.name.view(), names_[i]);
    EXPECT_EQ(p.header.iterations, 16u);
    EXPECT_EQ(p.header.split_id, custody_->ActiveSplit()->split_id);
  }
  // No share contains the plaintext share value or the KEK.
  const ByteSpan k = kek.View(SecretAccess::Grant());
  for (const Bytes& s : shares) {
    EXPECT_EQ(std::search(s.begin(), s.end(), k.begin(), k.end()), s.end());
  }
}

TEST_F(CustodyTest, AnyThreeOfFiveRebuildTheKek) {
  Kek kek;
  auto shares = Provision(*custody_, 3, names_, &kek);
  const int subsets[][3] = {{0, 1, 2}, {4, 2, 0}, {1, 3, 4}, {3, 0, 4}};
  for (const auto& subset : subsets) {
    OperationNonce nonce;
    ASSERT_TRUE(custody_->BeginQuorum(1000, &nonce).ok());
    uint16_t mask = 0;
    for (int k = 0; k < 3; ++k) {
      const size_t i = static_cast<size_t>(subset[k]);
      auto r = Submit(*custody_, nonce, shares[i], Pass(names_[i]));
      ASSERT_TRUE(r.ok()) << r.status().message();
      EXPECT_EQ(r->index, i + 1);
      EXPECT_EQ(r->accepted, k + 1);
      EXPECT_EQ(r->complete, k == 2);
      if (k < 2) {
        EXPECT_EQ(custody_->QuorumKek(nonce, 1000).status().code(),
                  StatusCode::kPermissionDenied);
      }
      mask = static_cast<uint16_t>(mask | (1u << i));
    }
    EXPECT_EQ(custody_->quorum().IndicesMask(), mask);
    auto got = custody_->QuorumKek(nonce, 1000);
    ASSERT_TRUE(got.ok());
    EXPECT_TRUE((*got)->Equals(kek));
    // A further share is not needed and not taken.
    for (size_t i = 0; i < 5; ++i) {
      if ((mask & (1u << i)) != 0) continue;
      EXPECT_EQ(Submit(*custody_, nonce, shares[i], Pass(names_[i])).status().code(),
                StatusCode::kFailedPrecondition);
      break;
    }
    custody_->EndQuorum();
    EXPECT_EQ(custody_->quorum().state(), QuorumAssembler::State::kIdle);
    EXPECT_EQ(custody_->QuorumKek(nonce, 1000).status().code(),
              StatusCode::kFailedPrecondition);
  }
}

TEST_F(CustodyTest, RejectionsNameTheCustodian) {
  auto shares = Provision(*custody_, 3, names_, nullptr);
  OperationNonce nonce;
  ASSERT_TRUE(custody_->BeginQuorum(1000, &nonce).ok());

  // Wrong passphrase.
  ExpectNamed(Submit(*custody_, nonce, shares[1], "not bob's passphrase").status(),
              StatusCode::kPermissionDenied, "bob", "wrong passphrase");
  // A transcription error: one byte changed, checksum no longer matches.
  Bytes typo = shares[2];
  typo[60] ^= 0x01;
  ExpectNamed(Submit(*custody_, nonce, typo, Pass("carol")).status(),
              StatusCode::kInvalidArgument, "carol", "checksum");
  // Truncated.
  Bytes cut(shares[3].begin(), shares[3].end() - 10);
  ExpectNamed(Submit(*custody_, nonce, cut, Pass("dave")).status(),
              StatusCode::kInvalidArgument, "dave", "length");
  // The host claims another custodian than the share's.
  ExpectNamed(custody_->SubmitShare(nonce, shares[0], AsBytes(Pass("alice")), "mallory", 1000)
                  .status(),
              StatusCode::kPermissionDenied, "mallory", "another custodian");
  // None of the failures counted.
  EXPECT_EQ(custody_->quorum().accepted(), 0);

  // Accepted once, refused the second time.
  ASSERT_TRUE(Submit(*custody_, nonce, shares[0], Pass("alice")).ok());
  ExpectNamed(Submit(*custody_, nonce, shares[0], Pass("alice")).status(),
              StatusCode::kAlreadyExists, "alice", "already presented");
  EXPECT_EQ(custody_->quorum().accepted(), 1);
  // Still completes with two more good shares.
  ASSERT_TRUE(Submit(*custody_, nonce, shares[1], Pass("bob")).ok());
  auto done = Submit(*custody_, nonce, shares[4], Pass("erin"));
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->complete);
}

// A forged share: well-formed, valid checksum, decrypts under the
// custodian's passphrase (the forger knows it), but its value is not the
// split's: the commitment catches it at entry.
TEST_F(CustodyTest, ForgedShareWithValidChecksumFailsTheCommitment) {
  auto shares = Provision(*custody_, 3, names_, nullptr);
  const SplitInfo& split = *custody_->ActiveSplit();
  ShareHeader h;
  h.index = 2;
  h.threshold = split.threshold;
  h.count = split.count;
  h.split_id = split.split_id;
  ASSERT_TRUE(h.name.Set("bob").ok());
  h.iterations = 16;
  ShareValue forged;
  std::array<uint8_t, kKekSize> v{};
  v.fill(0x42);
  ASSERT_TRUE(forged.Assign(v).ok());
  ApplianceId id;
  ASSERT_TRUE(id.Set(AsBytes("appliance-A")).ok());
  std::array<uint8_t, kMaxWrappedShareSize> buf{};
  auto n = WrapShare(*drbg_, id, h, forged, AsBytes(Pass("bob")), buf);
  ASSERT_TRUE(n.ok());
  Bytes wrapped(buf.begin(), buf.begin() + static_cast<long>(*n));
  ParsedShare parsed;
  ASSERT_TRUE(ParseWrappedShare(wrapped, &parsed).ok());  // checksum fine

  OperationNonce nonce;
  ASSERT_TRUE(custody_->BeginQuorum(1000, &nonce).ok());
  ExpectNamed(Submit(*custody_, nonce, wrapped, Pass("bob")).status(),
              StatusCode::kPermissionDenied, "bob", "commitment");
  EXPECT_EQ(custody_->quorum().accepted(), 0);
}

// A share whose header asks for 2^32 - 1 KDF iterations (checksum fixed up,
// as a tampering host could) is refused naming the custodian, at once: the
// appliance never runs the KDF that long (fuzz finding).
TEST_F(CustodyTest, ShareAskingForTooManyKdfIterationsIsRefusedBeforeTheKdf) {
  auto shares = Provision(*custody_, 3, names_, nullptr);
  Bytes forged = shares[1];
  StoreBe32(forged.data() + 32, 0xFFFFFFFFu);
  const size_t body = forged.size() - 4;
  StoreBe32(forged.data() + body, Crc32(ByteSpan(forged.data(), body)));
  OperationNonce nonce;
  ASSERT_TRUE(custody_->BeginQuorum(1000, &nonce).ok());
  const auto t0 = std::chrono::steady_clock::now();
  ExpectNamed(Submit(*custody_, nonce, forged, Pass("bob")).status(), StatusCode::kInvalidArgument, "bob",
              "above the maximum");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(custody_->quorum().accepted(), 0);
}

TEST_F(CustodyTest, SharesOfAnotherApplianceOrSplitAreRefused) {
  auto shares = Provision(*custody_, 3, names_, nullptr);
  // Another appliance, same custodian names and passphrases.
  auto other_storage = hw::FakeStorage::Create();
  ASSERT_TRUE(other_storage.ok());
  std::optional<Custody> other;
  ASSERT_TRUE(Open(**other_storage, "appliance-B", other).ok());
  auto foreign = Provision(*other, 3, names_, nullptr);
  // A second split on this appliance id (e.g. a reprovisioned twin).
  auto twin_storage = hw::FakeStorage::Create();
  ASSERT_TRUE(twin_storage.ok());
  std::optional<Custody> twin;
  ASSERT_TRUE(Open(**twin_storage, "appliance-A", twin).ok());
  auto twin_shares = Provision(*twin, 3, names_, nullptr);

  OperationNonce nonce;
  ASSERT_TRUE(custody_->BeginQuorum(1000, &nonce).ok());
  ExpectNamed(Submit(*custody_, nonce, foreign[0], Pass("alice")).status(),
              StatusCode::kPermissionDenied, "alice", "another appliance");
  ExpectNamed(Submit(*custody_, nonce, twin_shares[3], Pass("dave")).status(),
              StatusCode::kPermissionDenied, "dave", "another split");
  EXPECT_EQ(custody_->quorum().accepted(), 0);
}

TEST_F(CustodyTest, NonceTimeoutAndWipe) {
  auto shares = Provision(*custody_, 2, {"alice", "bob", "carol"}, nullptr);
  OperationNonce nonce;
  ASSERT_TRUE(custody_->BeginQuorum(1000, &nonce).ok());
  OperationNonce wrong = nonce;
  wrong[0] ^= 1;
  EXPECT_EQ(Submit(*custody_, wrong, shares[0], Pass("alice")).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(Submit(*custody_, nonce, shares[0], Pass("alice"), 2000).ok());
  // Past the deadline: refused, and the accepted share is gone.
  auto late = Submit(*custody_, nonce, shares[1], Pass("bob"), 1000 + kTimeout);
  EXPECT_EQ(late.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(custody_->quorum().state(), QuorumAssembler::State::kIdle);
  EXPECT_EQ(custody_->quorum().accepted(), 0);
  EXPECT_EQ(custody_->quorum().IndicesMask(), 0);
  // A completed quorum also expires.
  ASSERT_TRUE(custody_->BeginQuorum(5000, &nonce).ok());
  ASSERT_TRUE(Submit(*custody_, nonce, shares[2], Pass("carol"), 5000).ok());
  ASSERT_TRUE(Submit(*custody_, nonce, shares[1], Pass("bob"), 5000).ok());
  ASSERT_TRUE(custody_->QuorumKek(nonce, 5001).ok());
  EXPECT_FALSE(custody_->ExpireIfDue(5000 + kTimeout - 1));
  EXPECT_TRUE(custody_->ExpireIfDue(5000 + kTimeout));
  EXPECT_EQ(custody_->QuorumKek(nonce, 5002).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(CustodyTest, StagingRulesAndCommitNeedsEveryConfirmation) {
  EXPECT_EQ(custody_->BeginQuorum(0, nullptr).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(custody_->BeginInitialSplit(1, names_).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(custody_->BeginInitialSplit(3, Names{"a", "b", "a"}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(custody_->StagedSplit(), nullptr);
  ASSERT_TRUE(custody_->BeginInitialSplit(2, Names{"alice", "bob", "carol"}).ok());
  EXPECT_EQ(custody_->BeginInitialSplit(2, Names{"x", "y"}).code(), StatusCode::kFailedPrecondition);
  std::array<uint8_t, kMaxWrappedShareSize> buf{};
  EXPECT_EQ(custody_->WrapStagedShare(4, AsBytes(Pass("x")), buf).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(custody_->WrapStagedShare(1, AsBytes("short"), buf).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<Bytes> shares;
  for (uint8_t i = 1; i <= 3; ++i) {
    auto n = custody_->WrapStagedShare(i, AsBytes(Pass(std::array{"alice", "bob", "carol"}[i - 1])),
                                       buf);
    ASSERT_TRUE(n.ok());
    shares.emplace_back(buf.begin(), buf.begin() + static_cast<long>(*n));
  }
  ASSERT_TRUE(custody_->ConfirmStagedShare(shares[0], AsBytes(Pass("alice"))).ok());
  ExpectNamed(custody_->ConfirmStagedShare(shares[1], AsBytes(Pass("wrong!!!"))).status(),
              StatusCode::kPermissionDenied, "bob", "wrong passphrase");
  ExpectNamed(custody_->CommitStaged(), StatusCode::kFailedPrecondition, "bob",
              "not confirmed");
  EXPECT_EQ(custody_->ActiveSplit(), nullptr);
  ASSERT_TRUE(custody_->ConfirmStagedShare(shares[1], AsBytes(Pass("bob"))).ok());
  ASSERT_TRUE(custody_->ConfirmStagedShare(shares[2], AsBytes(Pass("carol"))).ok());
  EXPECT_EQ(custody_->StagedConfirmedMask(), 0b111);
  ASSERT_TRUE(custody_->CommitStaged().ok());
  ASSERT_NE(custody_->ActiveSplit(), nullptr);
  EXPECT_EQ(custody_->StagedSplit(), nullptr);
  EXPECT_EQ(custody_->BeginInitialSplit(2, Names{"x", "y"}).code(), StatusCode::kFailedPrecondition);

  // The split survives a restart.
  std::optional<Custody> reopened;
  ASSERT_TRUE(Open(*storage_, "appliance-A", reopened).ok());
  ASSERT_NE(reopened->ActiveSplit(), nullptr);
  EXPECT_EQ(reopened->ActiveSplit()->split_id, custody_->ActiveSplit()->split_id);
  EXPECT_EQ(reopened->ActiveSplit()->names[2].view(), "carol");
  OperationNonce nonce;
  ASSERT_TRUE(reopened->BeginQuorum(0, &nonce).ok());
  ASSERT_TRUE(Submit(*reopened, nonce, shares[0], Pass("alice"), 0).ok());
  auto r = Submit(*reopened, nonce, shares[2], Pass("carol"), 0);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->complete);
}

TEST_F(CustodyTest, ResplitKeepsTheKekAndRetiresOldSharesOnlyAtCommit) {
  Kek kek;
  auto old_shares = Provision(*custody_, 3, names_, &kek);
  OperationNonce nonce;
  ASSERT_TRUE(custody_->BeginQuorum(1000, &nonce).ok());
  for (size_t i : {0u, 2u, 4u}) ASSERT_TRUE(Submit(*custody_, nonce, old_shares[i], Pass(names_[i])).ok());

  const std::vector<std::string_view> new_names = {"frank", "grace", "heidi", "ivan"};
  ASSERT_TRUE(custody_->BeginResplit(nonce, 1000, 2, new_names).ok());
  auto staged_kek = custody_->StagedKek();
  ASSERT_TRUE(staged_kek.ok());
  EXPECT_TRUE((*staged_kek)->Equals(kek));
  std::vector<Bytes> new_shares;
  WrapAndConfirmAll(*custody_, new_names, &new_shares);

  // Before the commit the old split still works (and the new one does not).
  custody_->EndQuorum();
  ASSERT_TRUE(custody_->BeginQuorum(2000, &nonce).ok());
  ExpectNamed(Submit(*custody_, nonce, new_shares[0], Pass("frank"), 2000).status(),
              StatusCode::kPermissionDenied, "frank", "another split");
  ASSERT_TRUE(Submit(*custody_, nonce, old_shares[1], Pass("bob"), 2000).ok());

  // A power cut during the commit: the old split stays in force, the staged
  // one is kept and the retry succeeds.
  storage_->medium().CutPowerAt(1, 100);
  EXPECT_EQ(custody_->CommitStaged().code(), StatusCode::kUnavailable);
  storage_->medium().PowerOn();
  {
    std::optional<Custody> after_cut;
    ASSERT_TRUE(Open(*storage_, "appliance-A", after_cut).ok());
    EXPECT_EQ(after_cut->ActiveSplit()->count, 5);
  }
  ASSERT_NE(custody_->StagedSplit(), nullptr);
  ASSERT_TRUE(custody_->CommitStaged().ok());
  EXPECT_EQ(custody_->quorum().state(), QuorumAssembler::State::kIdle);  // session ended

  std::optional<Custody> reopened;
  ASSERT_TRUE(Open(*storage_, "appliance-A", reopened).ok());
  ASSERT_EQ(reopened->ActiveSplit()->count, 4);
  ASSERT_TRUE(reopened->BeginQuorum(3000, &nonce).ok());
  ExpectNamed(Submit(*reopened, nonce, old_shares[0], Pass("alice"), 3000).status(),
              StatusCode::kPermissionDenied, "alice", "another split");
  ASSERT_TRUE(Submit(*reopened, nonce, new_shares[3], Pass("ivan"), 3000).ok());
  ASSERT_TRUE(Submit(*reopened, nonce, new_shares[1], Pass("grace"), 3000).ok());
  auto got = reopened->QuorumKek(nonce, 3000);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE((*got)->Equals(kek));
}

TEST_F(CustodyTest, ResplitNeedsACompleteQuorum) {
  auto shares = Provision(*custody_, 3, names_, nullptr);
  OperationNonce nonce;
  ASSERT_TRUE(custody_->BeginQuorum(1000, &nonce).ok());
  ASSERT_TRUE(Submit(*custody_, nonce, shares[0], Pass("alice")).ok());
  ASSERT_TRUE(Submit(*custody_, nonce, shares[1], Pass("bob")).ok());
  EXPECT_EQ(custody_->BeginResplit(nonce, 1000, 2, Names{"x", "y"}).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(custody_->StagedSplit(), nullptr);
}

TEST_F(CustodyTest, CorruptSplitRecordIsDataLossNotAGuess) {
  Provision(*custody_, 2, {"alice", "bob"}, nullptr);
  std::array<uint8_t, kMaxSplitRecordSize> rec{};
  auto n = storage_->Read(kSplitRecordKey, rec);
  ASSERT_TRUE(n.ok());
  rec[5] = 9;  // M > N
  ASSERT_TRUE(storage_->Write(kSplitRecordKey, ByteSpan(rec.data(), *n)).ok());
  std::optional<Custody> reopened;
  EXPECT_EQ(Open(*storage_, "appliance-A", reopened).code(), StatusCode::kDataLoss);
  EXPECT_FALSE(reopened.has_value());
}

TEST_F(CustodyTest, CreateRefusesBadConfig) {
  std::optional<Custody> c;
  CustodyConfig config;
  config.share_iterations = 0;
  EXPECT_EQ(Custody::Create(*storage_, *drbg_, AsBytes("id"), config, c).code(),
            StatusCode::kFailedPrecondition);
  config.share_iterations = 16;
  EXPECT_EQ(Custody::Create(*storage_, *drbg_, ByteSpan(), config, c).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Custody::Create(*storage_, *drbg_, AsBytes(std::string(40, 'x')), config, c).code(),
            StatusCode::kInvalidArgument);
}

TEST(SplitRecord, RoundTrip) {
  SplitInfo s;
  s.threshold = 2;
  s.count = 3;
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(s.names[i].Set(std::string(1 + i * 10, char('a' + i))).ok());
    s.commitments[i].fill(static_cast<uint8_t>(i + 1));
  }
  s.split_id.fill(9);
  s.kek_check.fill(7);
  std::array<uint8_t, kMaxSplitRecordSize> buf{};
  auto n = EncodeSplitRecord(s, buf);
  ASSERT_TRUE(n.ok());
  SplitInfo back;
  ASSERT_TRUE(DecodeSplitRecord(ByteSpan(buf.data(), *n), &back).ok());
  EXPECT_EQ(back.split_id, s.split_id);
  EXPECT_EQ(back.kek_check, s.kek_check);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.names[i].view(), s.names[i].view());
    EXPECT_EQ(back.commitments[i], s.commitments[i]);
  }
  EXPECT_EQ(DecodeSplitRecord(ByteSpan(buf.data(), *n - 1), &back).code(),
            StatusCode::kDataLoss);
}

}  // namespace
}  // namespace pki::appliance::custody
