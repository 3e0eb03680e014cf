// Fuzzes the appliance's intermediate-from-CSR path (mbedTLS): PKCS#10
// parse, proof-of-possession signature check and key policy (CheckedCsr),
// then the profile checks and TBSCertificate build (BuildIntermediateTbs)
// under a fixed P-256 root; an accepted request is signed by the root key.
//
// Input: 2 bytes choosing the profile and validity, then the CSR DER.
//   byte 0 bits 0-1: path_len 0..3;  bit 2: EKU serverAuth+clientAuth;
//          bit 3: name constraints;  bit 4: allow RSA;  bit 5: RSA >= 2048
//          (else >= 3072);  bit 6: allow P-256;  bit 7: allow P-384
//   byte 1: validity in 30-day steps (0: empty validity, refused)
// Invariants (PKI_CHECK): a TBS the builder accepts is signed by the root
// (SignCertificate re-parses and verifies its own output); every refusal
// names its reason.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "ca/ca_certificate.h"
#include "ca/intermediate.h"
#include "ca/root.h"
#include "ca/serial.h"
#include "ca/sign.h"
#include "crypto/drbg.h"
#include "crypto/keypair.h"
#include "crypto/test_entropy.h"

namespace {

namespace ca = pki::appliance::ca;
namespace crypto = pki::appliance::crypto;

constexpr int64_t kT0 = 1798761600;  // 2027-01-01T00:00:00Z
constexpr int64_t kDay = 86400;

struct Root {
  crypto::testing::SeededEntropy entropy{99};
  std::optional<crypto::Drbg> drbg;
  std::optional<crypto::KeyPair> key;
  std::optional<ca::CaCertificate> cert;
  ca::Serial serial;
};

Root& GetRoot() {
  static Root* root = [] {
    auto* r = new Root;
    PKI_CHECK(crypto::Drbg::Create(r->entropy, pki::AsBytes("csr-profile-fuzz"), r->drbg).ok());
    auto k = crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP256, *r->drbg);
    PKI_CHECK(k.ok());
    r->key.emplace(std::move(k).value());
    auto serial = ca::GenerateSerial(*r->drbg);
    PKI_CHECK(serial.ok());
    r->serial = *serial;
    std::array<uint8_t, 2048> tbs{};
    auto n = ca::BuildRootTbs({"C=DE,O=Example,CN=Fuzz Root CA R1", kT0, kT0 + 20 * 365 * kDay, -1},
                              *serial, *r->key, tbs);
    PKI_CHECK(n.ok());
    static std::array<uint8_t, ca::kMaxCertificateDer> der{};
    auto c = ca::SignCertificate(*r->key, *r->drbg, pki::ByteSpan(tbs.data(), *n), der);
    PKI_CHECK(c.ok());
    auto cert = ca::CaCertificate::Parse(pki::ByteSpan(der.data(), *c));
    PKI_CHECK(cert.ok());
    r->cert.emplace(std::move(cert).value());
    return r;
  }();
  return *root;
}

constexpr std::string_view kPermitted[] = {"example.com", ".corp.example"};
constexpr std::string_view kExcluded[] = {"bad.example.com"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  Root& root = GetRoot();
  const uint8_t p = data[0];
  ca::IntermediateProfile profile;
  profile.path_len = p & 3;
  if ((p & 4u) != 0) profile.ext_key_usage = ca::kEkuServerAuth | ca::kEkuClientAuth;
  if ((p & 8u) != 0) {
    profile.permitted_dns = kPermitted;
    profile.excluded_dns = kExcluded;
  }
  profile.crl_distribution_point = "http://pki.example.com/root.crl";
  profile.aia_ca_issuers = "http://pki.example.com/root.crt";
  profile.key_policy.allow_rsa = (p & 16u) != 0;
  profile.key_policy.min_rsa_bits = (p & 32u) != 0 ? 2048 : 3072;
  profile.key_policy.allow_ec_p256 = (p & 64u) != 0;
  profile.key_policy.allow_ec_p384 = (p & 128u) != 0;

  ca::IntermediateRequest req;
  req.csr_der = pki::ByteSpan(data + 2, size - 2);
  req.not_before = kT0 + kDay;
  req.not_after = req.not_before + int64_t{data[1]} * 30 * kDay;
  req.serial = root.serial;
  req.serial.bytes[19] ^= 0x55;  // not the root's own serial

  // The CSR checks alone, under the most permissive policy.
  ca::KeyPolicy open;
  open.min_rsa_bits = 2048;
  auto csr = ca::CheckedCsr::Parse(req.csr_der, open);
  if (!csr.ok()) PKI_CHECK(!csr.status().message().empty());

  static std::array<uint8_t, 4096> tbs;
  auto n = ca::BuildIntermediateTbs(*root.cert, profile, req, tbs);
  if (!n.ok()) {
    PKI_CHECK(!n.status().message().empty());
    return 0;
  }
  PKI_CHECK(csr.ok());  // the builder accepted a CSR the open policy refused?
  static std::array<uint8_t, ca::kMaxCertificateDer> cert;
  auto c = ca::SignCertificate(*root.key, *root.drbg, pki::ByteSpan(tbs.data(), *n), cert);
  PKI_CHECK(c.ok());
  return 0;
}
