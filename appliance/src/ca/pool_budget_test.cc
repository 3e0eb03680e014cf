// Measures the static pool's peak use and the host time of each CA
// operation, and checks that each fits the pool and frees what it took.
// Figures go to stdout (and the test XML as properties); see
// docs/appliance-crypto.md.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "ca/ca_certificate.h"
#include "ca/crl.h"
#include "ca/intermediate.h"
#include "ca/root.h"
#include "ca/sign.h"
#include "ca/test_csr.h"
#include "crypto/heap.h"
#include "crypto/test_entropy.h"

namespace pki::appliance::ca {
namespace {

using crypto::GetPoolUsage;
using crypto::KeyAlgorithm;
using crypto::KeyPair;

constexpr int64_t kT0 = 1798761600;  // 2027-01-01T00:00:00Z
constexpr int64_t kYear = 365 * 86400;

struct Measured {
  size_t peak_bytes;
  size_t peak_blocks;
  double millis;
};

// Measure runs |op| once and reports its pool peak above the use before it.
Measured Measure(const char* name, const std::function<void()>& op) {
  const crypto::PoolUsage before = GetPoolUsage();
  crypto::ResetPoolPeak();
  const auto t0 = std::chrono::steady_clock::now();
  op();
  const auto t1 = std::chrono::steady_clock::now();
  const crypto::PoolUsage after = GetPoolUsage();
  Measured m{after.peak_bytes - before.current_bytes, after.peak_blocks - before.current_blocks,
             std::chrono::duration<double, std::milli>(t1 - t0).count()};
  const size_t with_headers = after.peak_bytes + after.peak_blocks * crypto::kBlockHeaderBytes;
  std::printf("POOL %-28s peak %6zu B in %4zu blocks (pool high-water incl. headers %6zu of %zu B)  %8.2f ms\n",
              name, m.peak_bytes, m.peak_blocks, with_headers, crypto::kPoolSize, m.millis);
  ::testing::Test::RecordProperty(std::string(name) + "_peak_bytes", static_cast<int>(m.peak_bytes));
  EXPECT_LE(with_headers, crypto::kPoolSize) << name;
  EXPECT_TRUE(crypto::CheckPool().ok()) << name;
  return m;
}

TEST(PoolBudgetTest, EveryCaOperationFitsThePoolAndFreesItsMemory) {
  crypto::testing::SeededEntropy entropy(99);
  std::optional<crypto::Drbg> drbg;
  ASSERT_TRUE(crypto::Drbg::Create(entropy, AsBytes("pool-budget"), drbg).ok());
  const size_t baseline = GetPoolUsage().current_bytes;
  {
    std::optional<KeyPair> root_key;
    Measure("P-384 keygen", [&] {
      StatusOr<KeyPair> k = KeyPair::Generate(KeyAlgorithm::kEcP384, *drbg);
      ASSERT_TRUE(k.ok());
      root_key.emplace(std::move(k).value());
    });
    std::array<uint8_t, 2048> tbs{};
    std::vector<uint8_t> root_der(kMaxCertificateDer);
    size_t tbs_len = 0;
    Measure("root TBS build", [&] {
      StatusOr<Serial> serial = GenerateSerial(*drbg);
      ASSERT_TRUE(serial.ok());
      StatusOr<size_t> n = BuildRootTbs({"C=US,O=Example,CN=Example Root", kT0, kT0 + 20 * kYear, -1}, *serial,
                                        *root_key, tbs);
      ASSERT_TRUE(n.ok()) << n.status().message();
      tbs_len = *n;
    });
    Measure("P-384 sign+verify root", [&] {
      StatusOr<size_t> n = SignCertificate(*root_key, *drbg, ByteSpan(tbs.data(), tbs_len), root_der);
      ASSERT_TRUE(n.ok()) << n.status().message();
      root_der.resize(*n);
    });
    std::optional<CaCertificate> root;
    Measure("root certificate parse", [&] {
      StatusOr<CaCertificate> c = CaCertificate::Parse(root_der);
      ASSERT_TRUE(c.ok()) << c.status().message();
      root.emplace(std::move(c).value());
    });

    StatusOr<KeyPair> int_key = KeyPair::Generate(KeyAlgorithm::kEcP384, *drbg);
    ASSERT_TRUE(int_key.ok());
    const std::vector<uint8_t> csr = testing::MakeCsr(*int_key, *drbg, "O=Example,CN=Issuing CA 1");
    ASSERT_FALSE(csr.empty());
    std::vector<uint8_t> int_der(kMaxCertificateDer);
    Measure("CSR verify + issue + sign", [&] {
      IntermediateProfile profile;
      profile.crl_distribution_point = "http://pki.example.com/root.crl";
      profile.aia_ca_issuers = "http://pki.example.com/root.crt";
      StatusOr<Serial> serial = GenerateSerial(*drbg);
      ASSERT_TRUE(serial.ok());
      std::array<uint8_t, 3072> itbs{};
      StatusOr<size_t> n = BuildIntermediateTbs(*root, profile, {csr, kT0, kT0 + 5 * kYear, *serial}, itbs);
      ASSERT_TRUE(n.ok()) << n.status().message();
      StatusOr<size_t> c = SignCertificate(*root_key, *drbg, ByteSpan(itbs.data(), *n), int_der);
      ASSERT_TRUE(c.ok()) << c.status().message();
    });

    std::vector<std::array<uint8_t, 20>> serials(100);
    std::vector<RevokedCertificate> revoked;
    for (auto& s : serials) {
      ASSERT_TRUE(drbg->Generate(s).ok());
      s[0] = static_cast<uint8_t>((s[0] & 0x7f) | 0x01);
      revoked.push_back({s, kT0 + 86400, RevocationReason::kSuperseded});
    }
    Measure("CRL (100 entries) build+sign", [&] {
      CrlRequest req;
      req.crl_number = 1;
      req.this_update = kT0 + 2 * 86400;
      req.next_update = kT0 + 200 * 86400;
      req.revoked = revoked;
      std::vector<uint8_t> ctbs(8192), crl(8192);
      StatusOr<size_t> n = BuildCrlTbs(*root, req, ctbs);
      ASSERT_TRUE(n.ok()) << n.status().message();
      StatusOr<size_t> c = SignCrl(*root_key, *drbg, ByteSpan(ctbs.data(), *n), crl);
      ASSERT_TRUE(c.ok()) << c.status().message();
    });
    Measure("RSA-3072 keygen", [&] {
      StatusOr<KeyPair> k = KeyPair::Generate(KeyAlgorithm::kRsa3072, *drbg);
      ASSERT_TRUE(k.ok()) << k.status().message();
      uint8_t sig[crypto::kMaxSignatureSize];
      ASSERT_TRUE(crypto::Sign(*k, *drbg, crypto::HashAlg::kSha256, AsBytes("m"), sig).ok());
    });
  }
  EXPECT_EQ(GetPoolUsage().current_bytes, baseline) << "an operation leaked pool memory";
}

}  // namespace
}  // namespace pki::appliance::ca
