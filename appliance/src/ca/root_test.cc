#include "ca/root.h"

#include <gtest/gtest.h>

#include "ca/der.h"
#include "ca/sign.h"
#include "ca/test_fixture.h"
#include "crypto/test_util.h"

namespace pki::appliance::ca {
namespace {

using testing::CaTest;
using testing::kDay;
using testing::kRootDn;
using testing::kT0;
using testing::kYear;

using RootTest = CaTest;

TEST_F(RootTest, ParsedRootHasTheProfile) {
  EXPECT_EQ(root_->not_before(), kT0);
  EXPECT_EQ(root_->not_after(), kT0 + 20 * kYear);
  EXPECT_EQ(root_->path_len(), -1);
  EXPECT_EQ(root_->key_algorithm(), crypto::KeyAlgorithm::kEcP384);
  EXPECT_EQ(AsChars(root_->subject_der()), AsChars(root_->issuer_der()));
  // SKI = leftmost 160 bits of SHA-256(subjectPublicKey).
  StatusOr<internal::KeyId> id = internal::KeyIdFromSpki(root_->spki_der());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(crypto::testing::ToHex(root_->subject_key_id()), crypto::testing::ToHex(*id));
  EXPECT_TRUE(root_->VerifySelfSigned().ok());
  EXPECT_TRUE(root_->MatchesKey(*root_key_).ok());
}

TEST_F(RootTest, TbsIsDeterministicForPreview) {
  const Serial serial = NewSerial();
  std::array<uint8_t, 2048> a{}, b{};
  const RootSpec spec{kRootDn, kT0, kT0 + kYear, 1};
  StatusOr<size_t> na = BuildRootTbs(spec, serial, *root_key_, a);
  StatusOr<size_t> nb = BuildRootTbs(spec, serial, *root_key_, b);
  ASSERT_TRUE(na.ok() && nb.ok());
  EXPECT_EQ(crypto::testing::ToHex(ByteSpan(a.data(), *na)), crypto::testing::ToHex(ByteSpan(b.data(), *nb)));
  EXPECT_EQ(TbsDigest(ByteSpan(a.data(), *na)), crypto::Sha256(ByteSpan(b.data(), *nb)));
}

TEST_F(RootTest, RulesAreEnforcedWithTheRuleNamed) {
  std::array<uint8_t, 2048> tbs{};
  auto refused = [&](const RootSpec& spec, std::string_view rule) {
    StatusOr<size_t> n = BuildRootTbs(spec, NewSerial(), *root_key_, tbs);
    ASSERT_FALSE(n.ok()) << rule;
    EXPECT_EQ(n.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(n.status().message().find(rule), std::string_view::npos) << n.status().message();
  };
  refused({kRootDn, kT0, kT0 + 26 * kYear, -1}, "longer than 25 years");
  refused({kRootDn, kT0, kT0, -1}, "notAfter must be after notBefore");
  refused({kRootDn, kT0, kT0 + kYear, -2}, "path_len");
  refused({"", kT0, kT0 + kYear, -1}, "empty distinguished name");
  refused({"BOGUS=1", kT0, kT0 + kYear, -1}, "does not parse");
  refused({kRootDn, internal::kMinTime - 1, kT0, -1}, "1950..9999");
  Serial zero_first = NewSerial();
  zero_first.bytes[0] = 0;
  EXPECT_EQ(BuildRootTbs({kRootDn, kT0, kT0 + kYear, -1}, zero_first, *root_key_, tbs).status().code(),
            StatusCode::kInvalidArgument);
  std::array<uint8_t, 64> small{};
  EXPECT_EQ(BuildRootTbs({kRootDn, kT0, kT0 + kYear, -1}, NewSerial(), *root_key_, small).status().code(),
            StatusCode::kOutOfRange);
}

TEST_F(RootTest, PathLenIsWrittenWhenAsked) {
  StatusOr<crypto::KeyPair> k = crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP256, *drbg_);
  ASSERT_TRUE(k.ok());
  const std::vector<uint8_t> der = MakeRoot(*k, "CN=Path Root", 2);
  ASSERT_FALSE(der.empty());
  StatusOr<CaCertificate> c = CaCertificate::Parse(der);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->path_len(), 2);
  EXPECT_EQ(c->key_algorithm(), crypto::KeyAlgorithm::kEcP256);
}

// The root key signs only TBSCertificates/TBSCertLists built for it.
TEST_F(RootTest, SignRefusesAnythingButAMatchingTbs) {
  std::vector<uint8_t> out(kMaxCertificateDer);
  auto sign = [&](ByteSpan tbs) { return SignCertificate(*root_key_, *drbg_, tbs, out).status(); };
  EXPECT_EQ(sign(AsBytes("arbitrary test data")).code(), StatusCode::kInvalidArgument);
  const uint8_t empty_seq[] = {0x30, 0x00};
  EXPECT_EQ(sign(empty_seq).code(), StatusCode::kInvalidArgument);

  std::array<uint8_t, 2048> tbs{};
  StatusOr<size_t> n = BuildRootTbs({kRootDn, kT0, kT0 + kYear, -1}, NewSerial(), *root_key_, tbs);
  ASSERT_TRUE(n.ok());
  std::vector<uint8_t> trailing(tbs.begin(), tbs.begin() + static_cast<std::ptrdiff_t>(*n));
  trailing.push_back(0);
  EXPECT_EQ(sign(trailing).code(), StatusCode::kInvalidArgument);
  // A P-256 key may not sign a TBS that says ecdsa-with-SHA384.
  StatusOr<crypto::KeyPair> other = crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP256, *drbg_);
  ASSERT_TRUE(other.ok());
  Status s = SignCertificate(*other, *drbg_, ByteSpan(tbs.data(), *n), out).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("signature algorithm"), std::string_view::npos) << s.message();
  // A TBSCertificate is not a TBSCertList.
  EXPECT_EQ(SignCrl(*root_key_, *drbg_, ByteSpan(tbs.data(), *n), out).status().code(),
            StatusCode::kInvalidArgument);
  // Output too small.
  std::array<uint8_t, 100> small{};
  EXPECT_EQ(SignCertificate(*root_key_, *drbg_, ByteSpan(tbs.data(), *n), small).status().code(),
            StatusCode::kOutOfRange);
  // And the right TBS signs.
  EXPECT_TRUE(SignCertificate(*root_key_, *drbg_, ByteSpan(tbs.data(), *n), out).ok());
}

TEST_F(RootTest, TamperedCertificateFailsItsSelfSignatureCheck) {
  std::vector<uint8_t> der = root_der_;
  der[der.size() - 5] ^= 0x01;  // inside the signature
  StatusOr<CaCertificate> c = CaCertificate::Parse(der);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->VerifySelfSigned().code(), StatusCode::kPermissionDenied);
  StatusOr<crypto::KeyPair> other = crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP384, *drbg_);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(root_->MatchesKey(*other).code(), StatusCode::kFailedPrecondition);
  const uint8_t junk[] = {0x30, 0x01, 0x00};
  EXPECT_EQ(CaCertificate::Parse(junk).status().code(), StatusCode::kInvalidArgument);
}

TEST(SerialTest, SerialsArePositiveTwentyBytesAndDiffer) {
  crypto::testing::SeededEntropy e(77);
  std::optional<crypto::Drbg> d;
  ASSERT_TRUE(crypto::Drbg::Create(e, {}, d).ok());
  StatusOr<Serial> prev = GenerateSerial(*d);
  ASSERT_TRUE(prev.ok());
  for (int i = 0; i < 300; ++i) {
    StatusOr<Serial> s = GenerateSerial(*d);
    ASSERT_TRUE(s.ok());
    EXPECT_GE(s->bytes[0], 0x01);
    EXPECT_LE(s->bytes[0], 0x7f);
    EXPECT_TRUE(CheckSerial(*s).ok());
    EXPECT_NE(s->bytes, prev->bytes);
    prev = s;
  }
  Serial neg = *prev;
  neg.bytes[0] = 0x80;
  EXPECT_EQ(CheckSerial(neg).code(), StatusCode::kInvalidArgument);
  e.FailAfter(0);
  ASSERT_TRUE(d->Reseed({}).code() == StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pki::appliance::ca
