#include "ca/csr.h"

#include <gtest/gtest.h>

#include "ca/intermediate.h"
#include "crypto/heap.h"
#include "ca/test_csr.h"
#include "ca/test_fixture.h"

namespace pki::appliance::ca {
namespace {

using testing::CaTest;
using testing::kT0;
using testing::kYear;

class CsrTest : public CaTest {
 protected:
  std::vector<uint8_t> Csr(crypto::KeyAlgorithm alg, std::string_view dn = "O=Example Corp,CN=Issuing CA 1") {
    StatusOr<crypto::KeyPair> k = crypto::KeyPair::Generate(alg, *drbg_);
    PKI_CHECK(k.ok());
    return testing::MakeCsr(*k, *drbg_, dn);
  }
};

TEST_F(CsrTest, GoodRequestParsesAndKeepsOnlyDnAndKey) {
  const std::vector<uint8_t> csr = Csr(crypto::KeyAlgorithm::kEcP384);
  ASSERT_FALSE(csr.empty());
  StatusOr<CheckedCsr> c = CheckedCsr::Parse(csr, KeyPolicy{});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->key_algorithm(), crypto::KeyAlgorithm::kEcP384);
  std::array<uint8_t, 256> dn{};
  StatusOr<size_t> n = internal::NameFromString("O=Example Corp,CN=Issuing CA 1", dn);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(AsChars(c->subject_der()), AsChars(ByteSpan(dn.data(), *n)));
}

TEST_F(CsrTest, EveryByteOfTheSignedPartIsCovered) {
  std::vector<uint8_t> csr = Csr(crypto::KeyAlgorithm::kEcP256);
  // Flip a bit in the subject (inside CertificationRequestInfo): parse may
  // succeed, proof of possession must not.
  const size_t pos = 20;
  csr[pos] ^= 0x01;
  StatusOr<CheckedCsr> c = CheckedCsr::Parse(csr, KeyPolicy{});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CsrTest, BadSignatureIsProofOfPossessionFailure) {
  std::vector<uint8_t> csr = Csr(crypto::KeyAlgorithm::kEcP384);
  csr[csr.size() - 3] ^= 0x40;
  StatusOr<CheckedCsr> c = CheckedCsr::Parse(csr, KeyPolicy{});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("proof of possession"), std::string_view::npos) << c.status().message();
}

TEST_F(CsrTest, KeyPolicyNamesTheRule) {
  KeyPolicy no_p384;
  no_p384.allow_ec_p384 = false;
  StatusOr<CheckedCsr> c = CheckedCsr::Parse(Csr(crypto::KeyAlgorithm::kEcP384), no_p384);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("EC P-384 keys are not allowed"), std::string_view::npos);
  KeyPolicy no_rsa;
  no_rsa.allow_rsa = false;
  c = CheckedCsr::Parse(Csr(crypto::KeyAlgorithm::kRsa3072), no_rsa);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("RSA keys are not allowed"), std::string_view::npos);
  KeyPolicy rsa4096;
  rsa4096.min_rsa_bits = 4096;
  c = CheckedCsr::Parse(Csr(crypto::KeyAlgorithm::kRsa3072), rsa4096);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("3072 bits is below the minimum of 4096"), std::string_view::npos)
      << c.status().message();
}

TEST_F(CsrTest, MalformedInputIsRejectedNotCrashed) {
  std::vector<uint8_t> csr = Csr(crypto::KeyAlgorithm::kEcP256);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{10}, csr.size() / 2, csr.size() - 1}) {
    StatusOr<CheckedCsr> c = CheckedCsr::Parse(ByteSpan(csr.data(), cut), KeyPolicy{});
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << cut;
  }
  std::vector<uint8_t> huge(kMaxCsrDer + 1, 0x30);
  EXPECT_EQ(CheckedCsr::Parse(huge, KeyPolicy{}).status().code(), StatusCode::kInvalidArgument);
}

// Invariant 7: any corruption of a request or a CA certificate gives a clear
// error (or, for bytes outside what is checked, a valid result), never a crash
// or a pool leak.
TEST_F(CsrTest, ByteMutationsNeverCrashOrLeak) {
  const std::vector<uint8_t> csr = Csr(crypto::KeyAlgorithm::kEcP256);
  const size_t base = crypto::GetPoolUsage().current_bytes;
  size_t accepted = 0;
  for (size_t i = 0; i < csr.size(); ++i) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      std::vector<uint8_t> m = csr;
      m[i] ^= flip;
      StatusOr<CheckedCsr> c = CheckedCsr::Parse(m, KeyPolicy{});
      if (c.ok()) {
        ++accepted;
      } else {
        EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << i << " " << c.status().message();
      }
      std::vector<uint8_t> cert = root_der_;
      cert[i % cert.size()] ^= flip;
      StatusOr<CaCertificate> ca = CaCertificate::Parse(cert);
      if (!ca.ok()) {
        EXPECT_EQ(ca.status().code(), StatusCode::kInvalidArgument) << ca.status().message();
      }
    }
  }
  // Only a handful of encoding bytes may change without breaking the
  // signature (e.g. none at all for a minimal DER CSR).
  EXPECT_LT(accepted, 8u);
  EXPECT_EQ(crypto::GetPoolUsage().current_bytes, base);
  EXPECT_TRUE(crypto::CheckPool().ok());
}

class IntermediateTest : public CsrTest {
 protected:
  IntermediateProfile Profile() {
    IntermediateProfile p;
    p.crl_distribution_point = "http://pki.example.com/root.crl";
    p.aia_ca_issuers = "http://pki.example.com/root.crt";
    return p;
  }
  Status Build(const IntermediateProfile& p, const std::vector<uint8_t>& csr, int64_t nb, int64_t na,
               const CaCertificate* issuer = nullptr) {
    std::array<uint8_t, 3072> tbs{};
    return BuildIntermediateTbs(issuer ? *issuer : *root_, p, {csr, nb, na, NewSerial()}, tbs).status();
  }
};

TEST_F(IntermediateTest, ProfileFieldsAreChecked) {
  const auto csr = Csr(crypto::KeyAlgorithm::kEcP256);
  auto refused = [&](const IntermediateProfile& p, std::string_view rule) {
    Status s = Build(p, csr, kT0, kT0 + kYear);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << rule;
    EXPECT_NE(s.message().find(rule), std::string_view::npos) << s.message();
  };
  IntermediateProfile p = Profile();
  p.path_len = -1;
  refused(p, "profile.path_len");
  p = Profile();
  p.key_usage = kKuDigitalSignature;
  refused(p, "keyCertSign");
  p = Profile();
  p.aia_ca_issuers = "ldap://x";
  refused(p, "profile.aia_ca_issuers");
  const std::string_view bad_dns[] = {"a..example.com"};
  p = Profile();
  p.permitted_dns = bad_dns;
  refused(p, "profile.permitted_dns");
  const std::string_view bad_chars[] = {"exa mple.com"};
  p = Profile();
  p.excluded_dns = bad_chars;
  refused(p, "profile.excluded_dns");
  p = Profile();
  p.max_validity_days = 0;
  refused(p, "max_validity_days");
  p = Profile();
  p.key_policy = {false, 3072, false, false};
  refused(p, "allows no key algorithm");
  p = Profile();
  p.key_policy.min_rsa_bits = 1024;
  refused(p, "min_rsa_bits");
  EXPECT_TRUE(Build(Profile(), csr, kT0, kT0 + kYear).ok());
}

TEST_F(IntermediateTest, IssuerRelationsAreChecked) {
  // The issuer's own key, and the issuer's own DN, are refused.
  std::vector<uint8_t> own_key = testing::MakeCsr(*root_key_, *drbg_, "CN=Other Name");
  EXPECT_NE(Build(Profile(), own_key, kT0, kT0 + kYear).message().find("issuer's own key"), std::string_view::npos);
  EXPECT_NE(Build(Profile(), Csr(crypto::KeyAlgorithm::kEcP256, testing::kRootDn), kT0, kT0 + kYear)
                .message()
                .find("equals the issuer's subject"),
            std::string_view::npos);
  // Under a root with pathLen 0 no CA may be issued; under pathLen 1 only pathLen 0.
  StatusOr<crypto::KeyPair> k = crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP384, *drbg_);
  ASSERT_TRUE(k.ok());
  const std::vector<uint8_t> der = MakeRoot(*k, "CN=Constrained Root", 1);
  StatusOr<CaCertificate> constrained = CaCertificate::Parse(der);
  ASSERT_TRUE(constrained.ok());
  IntermediateProfile p = Profile();
  p.path_len = 1;
  EXPECT_NE(Build(p, Csr(crypto::KeyAlgorithm::kEcP256), kT0, kT0 + kYear, &*constrained)
                .message()
                .find("below the issuer's pathLenConstraint"),
            std::string_view::npos);
  p.path_len = 0;
  EXPECT_TRUE(Build(p, Csr(crypto::KeyAlgorithm::kEcP256), kT0, kT0 + kYear, &*constrained).ok());
  // Validity: inverted, too long, outside.
  const auto csr = Csr(crypto::KeyAlgorithm::kEcP256);
  EXPECT_NE(Build(Profile(), csr, kT0 + kYear, kT0).message().find("after notBefore"), std::string_view::npos);
  EXPECT_NE(Build(Profile(), csr, kT0, kT0 + 9 * kYear).message().find("max_validity_days"), std::string_view::npos);
  EXPECT_NE(Build(Profile(), csr, kT0 - 1, kT0 + kYear).message().find("inside the issuer's validity"),
            std::string_view::npos);
}

}  // namespace
}  // namespace pki::appliance::ca
