// A root appliance's custody life on real files: provision 3 of 5, seal a
// root key under the KEK, restart, use a quorum, change custodians to 2 of
// 3, restart, use the new quorum; every step journaled, the journal export
// verified by our verifier and its trailer signature by `openssl dgst`.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "crypto/aead.h"
#include "crypto/keypair.h"
#include "crypto/signature.h"
#include "crypto/test_entropy.h"
#include "custody/custody.h"
#include "hw/host/file_storage.h"
#include "journal/journal.h"

namespace pki::appliance {
namespace {

using Bytes = std::vector<uint8_t>;
using Names = std::vector<std::string_view>;
constexpr uint32_t kSealedRootKey = 0x7F000001u;  // test-only storage key
constexpr std::string_view kApplianceId = "root-appliance-1";
constexpr std::string_view kRootAad = "pki-root-key-v1";

std::string Pass(std::string_view name) { return "correct horse " + std::string(name); }

void WriteFile(const std::string& path, ByteSpan data) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

// The appliance's state that survives a restart lives only in |dir|.
class Appliance {
 public:
  Appliance(const std::string& dir, hw::EntropySource& entropy, journal::AuditSigner& signer) {
    auto s = hw::CreateFileStorage(dir);
    EXPECT_TRUE(s.ok()) << s.status().message();
    storage_ = std::move(s).value();
    EXPECT_TRUE(crypto::Drbg::Create(entropy, AsBytes("appliance"), drbg_).ok());
    custody::CustodyConfig cc;
    cc.share_iterations = 1000;
    Status st = custody::Custody::Create(*storage_, *drbg_, AsBytes(kApplianceId), cc, custody_);
    EXPECT_TRUE(st.ok()) << st.message();
    journal::JournalConfig jc;
    jc.capacity = 32;
    jc.checkpoint_interval = 2;
    st = journal::Journal::Open(*storage_, signer, jc, journal_);
    EXPECT_TRUE(st.ok()) << st.message();
  }
  hw::Storage& storage() { return *storage_; }
  crypto::Drbg& drbg() { return *drbg_; }
  custody::Custody& custody() { return *custody_; }
  journal::Journal& journal() { return *journal_; }

 private:
  std::unique_ptr<hw::Storage> storage_;
  std::optional<crypto::Drbg> drbg_;
  std::optional<custody::Custody> custody_;
  std::optional<journal::Journal> journal_;
};

class CeremonyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pki_ceremony_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/appliance";
    ASSERT_TRUE(crypto::Drbg::Create(audit_entropy_, AsBytes("audit"), audit_drbg_).ok());
    auto k = crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP256, *audit_drbg_);
    ASSERT_TRUE(k.ok());
    audit_key_.emplace(std::move(k).value());
    signer_.emplace(*audit_key_, *audit_drbg_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::vector<Bytes> WrapAndConfirm(custody::Custody& c, const Names& names) {
    std::vector<Bytes> shares;
    for (size_t i = 0; i < names.size(); ++i) {
      std::array<uint8_t, custody::kMaxWrappedShareSize> buf{};
      auto n = c.WrapStagedShare(static_cast<uint8_t>(i + 1), AsBytes(Pass(names[i])), buf);
      EXPECT_TRUE(n.ok()) << n.status().message();
      shares.emplace_back(buf.begin(), buf.begin() + static_cast<long>(*n));
    }
    for (size_t i = 0; i < names.size(); ++i) {
      EXPECT_TRUE(c.ConfirmStagedShare(shares[i], AsBytes(Pass(names[i]))).ok());
    }
    return shares;
  }

  // Runs a quorum with |picks| (0-based) and returns the nonce.
  custody::OperationNonce Quorum(custody::Custody& c, const std::vector<Bytes>& shares,
                                 const Names& names, std::initializer_list<size_t> picks) {
    custody::OperationNonce nonce{};
    EXPECT_TRUE(c.BeginQuorum(100, &nonce).ok());
    for (size_t i : picks) {
      auto r = c.SubmitShare(nonce, shares[i], AsBytes(Pass(names[i])), names[i], 100);
      EXPECT_TRUE(r.ok()) << r.status().message();
    }
    return nonce;
  }

  // Unseals the root key with the quorum's KEK and signs |message| with it.
  Bytes UnsealAndSign(Appliance& a, const custody::OperationNonce& nonce, std::string_view message,
                      Bytes* spki) {
    auto kek = a.custody().QuorumKek(nonce, 100);
    EXPECT_TRUE(kek.ok()) << kek.status().message();
    std::array<uint8_t, 4096> sealed{};
    auto n = a.storage().Read(kSealedRootKey, sealed);
    EXPECT_TRUE(n.ok());
    crypto::PrivateKeyDer der;
    EXPECT_TRUE(der.Resize(crypto::kMaxPrivateKeyDer).ok());
    auto opened = crypto::AeadOpen(**kek, AsBytes(kRootAad), ByteSpan(sealed.data(), *n),
                                   der.Mutable(SecretAccess::Grant()));
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    EXPECT_TRUE(der.Resize(*opened).ok());
    auto root = crypto::KeyPair::FromPrivateDer(der.View(SecretAccess::Grant()));
    EXPECT_TRUE(root.ok());
    std::array<uint8_t, crypto::kMaxSignatureSize> sig{};
    auto s = crypto::Sign(*root, a.drbg(), crypto::HashAlg::kSha384, AsBytes(message), sig);
    EXPECT_TRUE(s.ok());
    std::array<uint8_t, crypto::kMaxSpkiDer> pub{};
    auto pn = root->WriteSpki(pub);
    EXPECT_TRUE(pn.ok());
    spki->assign(pub.begin(), pub.begin() + static_cast<long>(*pn));
    return Bytes(sig.begin(), sig.begin() + static_cast<long>(*s));
  }

  static journal::JournalEntry Entry(uint16_t type, uint16_t custodians, std::string_view in) {
    journal::JournalEntry e;
    e.type = type;
    e.time = 1767225600;
    e.custodians = custodians;
    e.inputs_sha256 = crypto::Sha256(AsBytes(in));
    return e;
  }

  std::string root_;
  std::string dir_;
  crypto::testing::SeededEntropy audit_entropy_{99};
  std::optional<crypto::Drbg> audit_drbg_;
  std::optional<crypto::KeyPair> audit_key_;
  std::optional<journal::CryptoAuditSigner> signer_;
};

TEST_F(CeremonyTest, ProvisionUseResplitAcrossRestarts) {
  const Names first = {"alice", "bob", "carol", "dave", "erin"};
  const Names second = {"frank", "grace", "heidi"};
  std::vector<Bytes> old_shares;
  Bytes root_spki;

  {  // Provisioning.
    crypto::testing::SeededEntropy entropy(1);
    Appliance a(dir_, entropy, *signer_);
    ASSERT_TRUE(a.custody().BeginInitialSplit(3, first).ok());
    auto kek = a.custody().StagedKek();
    ASSERT_TRUE(kek.ok());
    auto root = crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP384, a.drbg());
    ASSERT_TRUE(root.ok());
    crypto::PrivateKeyDer der;
    ASSERT_TRUE(root->SerializePrivate(der).ok());
    std::array<uint8_t, crypto::kMaxPrivateKeyDer + crypto::kAeadOverhead> sealed{};
    auto n = crypto::AeadSeal(**kek, a.drbg(), AsBytes(kRootAad), der.View(SecretAccess::Grant()),
                              sealed);
    ASSERT_TRUE(n.ok());
    ASSERT_TRUE(a.storage().Write(kSealedRootKey, ByteSpan(sealed.data(), *n)).ok());
    old_shares = WrapAndConfirm(a.custody(), first);
    ASSERT_TRUE(a.custody().CommitStaged().ok());
    ASSERT_TRUE(a.journal().Append(Entry(journal::kRecordProvision, 0b11111, "init")).ok());
  }
  {  // Restart; a 3-of-5 quorum signs.
    crypto::testing::SeededEntropy entropy(2);
    Appliance a(dir_, entropy, *signer_);
    EXPECT_EQ(a.journal().state().boot_count, 2u);
    auto nonce = Quorum(a.custody(), old_shares, first, {4, 0, 2});
    EXPECT_EQ(a.custody().quorum().IndicesMask(), 0b10101);
    Bytes sig = UnsealAndSign(a, nonce, "intermediate tbs", &root_spki);
    auto pub = crypto::PublicKey::FromSpki(root_spki);
    ASSERT_TRUE(pub.ok());
    EXPECT_TRUE(crypto::Verify(*pub, crypto::HashAlg::kSha384, AsBytes("intermediate tbs"), sig)
                    .ok());
    ASSERT_TRUE(a.journal()
                    .Append(Entry(journal::kRecordSignIntermediate,
                                  a.custody().quorum().IndicesMask(), "intermediate tbs"))
                    .ok());
    a.custody().EndQuorum();

    // Change custodians to 2 of 3 with another old quorum.
    nonce = Quorum(a.custody(), old_shares, first, {1, 3, 4});
    ASSERT_TRUE(a.custody().BeginResplit(nonce, 100, 2, second).ok());
    auto new_shares = WrapAndConfirm(a.custody(), second);
    ASSERT_TRUE(a.custody().CommitStaged().ok());
    ASSERT_TRUE(a.journal().Append(Entry(journal::kRecordChangeCustodians, 0b11010, "2of3")).ok());
    WriteFile(root_ + "/new_shares.bin", new_shares[0]);  // carried by frank
    old_shares.insert(old_shares.end(), new_shares.begin(), new_shares.end());
  }
  {  // Restart; the new custodians unseal the same root key; the old cannot.
    crypto::testing::SeededEntropy entropy(3);
    Appliance a(dir_, entropy, *signer_);
    ASSERT_EQ(a.custody().ActiveSplit()->count, 3);
    const std::vector<Bytes> new_shares(old_shares.begin() + 5, old_shares.end());
    custody::OperationNonce nonce{};
    ASSERT_TRUE(a.custody().BeginQuorum(100, &nonce).ok());
    auto old = a.custody().SubmitShare(nonce, old_shares[0], AsBytes(Pass("alice")), {}, 100);
    ASSERT_FALSE(old.ok());
    EXPECT_NE(std::string(old.status().message()).find("custodian alice"), std::string::npos);
    a.custody().EndQuorum();
    nonce = Quorum(a.custody(), new_shares, second, {2, 0});
    Bytes spki_again;
    Bytes sig = UnsealAndSign(a, nonce, "crl tbs", &spki_again);
    EXPECT_EQ(spki_again, root_spki);
    ASSERT_TRUE(a.journal().Append(Entry(journal::kRecordIssueCrl, 0b101, "crl tbs")).ok());

    // Export the whole journal and verify it two ways.
    Bytes exported(8192);
    size_t size = 0;
    auto sum = a.journal().Export(0, exported, &size);
    ASSERT_TRUE(sum.ok()) << sum.status().message();
    exported.resize(size);
    std::array<uint8_t, crypto::kMaxSpkiDer> audit_pub{};
    auto an = audit_key_->WriteSpki(audit_pub);
    ASSERT_TRUE(an.ok());
    const ByteSpan audit_spki(audit_pub.data(), *an);
    auto verified = journal::VerifyJournalExportWithKey(exported, audit_spki);
    ASSERT_TRUE(verified.ok()) << verified.status().message();
    EXPECT_EQ(verified->first_seq, 0u);
    EXPECT_EQ(verified->last_seq + 1, a.journal().state().next_seq);
    EXPECT_GE(verified->checkpoints, 2u);

    // OpenSSL checks the trailer signature, rebuilt from docs/custody.md.
    size_t pos = journal::kExportHeaderSize;
    for (uint32_t i = 0; i < verified->count; ++i) pos += 2 + LoadBe16(exported.data() + pos);
    const uint8_t* t = exported.data() + pos;
    ASSERT_EQ(std::string(reinterpret_cast<const char*>(t), 4), "PKJT");
    Bytes message;
    const std::string label = "pki-journal-export-v1";
    message.insert(message.end(), label.begin(), label.end());
    message.insert(message.end(), exported.begin(), exported.begin() + 20);
    message.insert(message.end(), t + 4, t + 44);  // last seq || head
    const size_t sig_len = LoadBe16(t + 44);
    WriteFile(root_ + "/msg.bin", message);
    WriteFile(root_ + "/sig.der", ByteSpan(t + 46, sig_len));
    WriteFile(root_ + "/audit.der", audit_spki);
    const std::string cmd = "openssl dgst -sha256 -verify " + root_ + "/audit.der -keyform DER -signature " +
                            root_ + "/sig.der " + root_ + "/msg.bin 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char out[256] = {};
    const size_t got = std::fread(out, 1, sizeof(out) - 1, p);
    EXPECT_EQ(::pclose(p), 0) << std::string(out, got);
    EXPECT_NE(std::string(out, got).find("Verified OK"), std::string::npos);
    // One flipped byte of the message: OpenSSL refuses too.
    message[30] ^= 1;
    WriteFile(root_ + "/msg.bin", message);
    p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    EXPECT_NE(::pclose(p), 0);
  }
  // Everything on disk is private.
  struct stat st;
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
  }
}

}  // namespace
}  // namespace pki::appliance
