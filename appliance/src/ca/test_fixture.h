// test_fixture.h — a seeded DRBG and a P-384 root for ca/ unit tests
// (test-only).
#ifndef PKI_APPLIANCE_CA_TEST_FIXTURE_H_
#define PKI_APPLIANCE_CA_TEST_FIXTURE_H_

#if PKI_PRODUCTION_BUILD
#error "test_fixture.h is test-only"
#endif

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <vector>

#include "ca/ca_certificate.h"
#include "ca/root.h"
#include "ca/sign.h"
#include "crypto/test_entropy.h"

namespace pki::appliance::ca::testing {

inline constexpr int64_t kT0 = 1798761600;  // 2027-01-01T00:00:00Z
inline constexpr int64_t kDay = 86400;
inline constexpr int64_t kYear = 365 * kDay;
inline constexpr std::string_view kRootDn = "C=US,O=Example Corp,CN=Example Root CA R1";

class CaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Drbg::Create(entropy_, AsBytes("ca-unit-test"), drbg_).ok());
    StatusOr<crypto::KeyPair> k = crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP384, *drbg_);
    ASSERT_TRUE(k.ok());
    root_key_.emplace(std::move(k).value());
    root_der_ = MakeRoot(*root_key_, kRootDn, -1);
    ASSERT_FALSE(root_der_.empty());
    StatusOr<CaCertificate> c = CaCertificate::Parse(root_der_);
    ASSERT_TRUE(c.ok()) << c.status().message();
    root_.emplace(std::move(c).value());
  }

  Serial NewSerial() {
    StatusOr<Serial> s = GenerateSerial(*drbg_);
    PKI_CHECK(s.ok());
    return *s;
  }

  // MakeRoot returns a signed root certificate valid kT0..kT0+20y, or empty.
  std::vector<uint8_t> MakeRoot(crypto::KeyPair& key, std::string_view dn, int path_len) {
    std::array<uint8_t, 2048> tbs{};
    StatusOr<size_t> n = BuildRootTbs({dn, kT0, kT0 + 20 * kYear, path_len}, NewSerial(), key, tbs);
    if (!n.ok()) return {};
    std::vector<uint8_t> der(kMaxCertificateDer);
    StatusOr<size_t> c = SignCertificate(key, *drbg_, ByteSpan(tbs.data(), *n), der);
    if (!c.ok()) return {};
    der.resize(*c);
    return der;
  }

  crypto::testing::SeededEntropy entropy_{1234};
  std::optional<crypto::Drbg> drbg_;
  std::optional<crypto::KeyPair> root_key_;
  std::vector<uint8_t> root_der_;
  std::optional<CaCertificate> root_;
};

}  // namespace pki::appliance::ca::testing

#endif  // PKI_APPLIANCE_CA_TEST_FIXTURE_H_
