// Integration: the PKCS#11 pool on real SoftHSMv2 tokens — every algorithm
// signs and verifies with OpenSSL, bad requests get the right codes, and
// Create refuses bad configurations with errors naming what was wrong.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>

#include "common/file.h"
#include "signer/pkcs11_pool.h"
#include "softhsm_env.h"
#include "verify.h"

namespace pki::testing {
namespace {

using signer::KeyConfig;
using signer::KeyPool;
using signer::KeyVersionConfig;
using signer::PoolConfig;
using signer::SignAlgorithm;

constexpr std::chrono::milliseconds kDeadline{5000};

KeyConfig OneKey(const std::string& name, std::vector<std::string> uris) {
  KeyConfig key;
  key.name = name;
  key.primary_version = 1;
  KeyVersionConfig v;
  v.version = 1;
  v.replica_uris = std::move(uris);
  key.versions.push_back(v);
  return key;
}

class PoolSignTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.InitToken("signer-a").ok()); }
  SoftHsmEnv env_;
};

TEST_F(PoolSignTest, EveryAlgorithmSignsAndVerifiesWithOpenSsl) {
  ASSERT_TRUE(env_.GenerateKey("signer-a", "p256", "ec-p256").ok());
  ASSERT_TRUE(env_.GenerateKey("signer-a", "p384", "ec-p384").ok());
  ASSERT_TRUE(env_.GenerateKey("signer-a", "rsa", "rsa-2048").ok());
  ASSERT_TRUE(env_.GenerateKey("signer-a", "ed", "ed25519").ok());
  PoolConfig config = env_.Config(kSoftHsmModule, {"signer-a"});
  config.keys.push_back(OneKey("p256", {"pkcs11:token=signer-a;object=p256;type=private"}));
  config.keys.push_back(OneKey("p384", {"pkcs11:token=signer-a;object=p384"}));
  config.keys.push_back(OneKey("rsa", {"pkcs11:token=signer-a;object=rsa;type=private"}));
  config.keys.push_back(OneKey("ed", {"pkcs11:token=signer-a;object=ed;type=private"}));
  StatusOr<std::unique_ptr<KeyPool>> pool = signer::CreatePkcs11Pool(config);
  ASSERT_TRUE(pool.ok()) << pool.status().message();

  struct Case { const char* key; SignAlgorithm alg; };
  const Case cases[] = {
      {"p256", SignAlgorithm::kEcdsaP256Sha256}, {"p384", SignAlgorithm::kEcdsaP384Sha384},
      {"rsa", SignAlgorithm::kRsaPkcs1Sha256},   {"rsa", SignAlgorithm::kRsaPkcs1Sha384},
      {"rsa", SignAlgorithm::kRsaPkcs1Sha512},   {"rsa", SignAlgorithm::kRsaPssSha256},
      {"rsa", SignAlgorithm::kRsaPssSha384},     {"rsa", SignAlgorithm::kRsaPssSha512},
      {"ed", SignAlgorithm::kEd25519},
  };
  const std::string message = "release artifact v1.2.3";
  for (const Case& c : cases) {
    StatusOr<signer::KeyVersionInfo> info = (*pool)->Describe(c.key, 0);
    ASSERT_TRUE(info.ok());
    std::string input = Digest(c.alg, message);
    std::string detail;
    StatusOr<signer::SignResult> sig =
        (*pool)->Sign(c.key, 0, c.alg, AsBytes(input), kDeadline, &detail);
    ASSERT_TRUE(sig.ok()) << signer::AlgorithmName(c.alg) << ": " << sig.status().message()
                          << " / " << detail;
    EXPECT_EQ(sig->version, 1u);
    EXPECT_NE(sig->replica.find("token=signer-a"), std::string::npos);
    EXPECT_TRUE(VerifySignature(info->spki_der, c.alg, message, sig->signature))
        << signer::AlgorithmName(c.alg);
    EXPECT_FALSE(VerifySignature(info->spki_der, c.alg, message + "x", sig->signature))
        << signer::AlgorithmName(c.alg);
  }
  // Describe and List say what each key can do.
  StatusOr<signer::KeyVersionInfo> rsa = (*pool)->Describe("rsa", 1);
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(rsa->algorithms.size(), 6u);
  EXPECT_EQ(rsa->key_id_hex.size(), 32u);
  EXPECT_EQ(rsa->health, signer::KeyHealth::kEnabled);
  EXPECT_EQ(rsa->replicas_total, 1u);
  EXPECT_EQ((*pool)->List().size(), 4u);
}

TEST_F(PoolSignTest, BadRequestsGetTheRightCodes) {
  ASSERT_TRUE(env_.GenerateKey("signer-a", "p256", "ec-p256").ok());
  PoolConfig config = env_.Config(kSoftHsmModule, {"signer-a"});
  config.keys.push_back(OneKey("p256", {"pkcs11:token=signer-a;object=p256"}));
  StatusOr<std::unique_ptr<KeyPool>> pool = signer::CreatePkcs11Pool(config);
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  std::string digest(32, 'd');
  std::string detail;
  auto wrong_len = (*pool)->Sign("p256", 0, SignAlgorithm::kEcdsaP256Sha256,
                                 AsBytes(digest.substr(0, 31)), kDeadline, &detail);
  EXPECT_EQ(wrong_len.status().code(), StatusCode::kInvalidArgument);
  auto wrong_alg = (*pool)->Sign("p256", 0, SignAlgorithm::kRsaPssSha256, AsBytes(digest),
                                 kDeadline, &detail);
  EXPECT_EQ(wrong_alg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_alg.status().message().find("rsa-pss-sha256"), std::string_view::npos);
  auto unknown = (*pool)->Sign("nope", 0, SignAlgorithm::kEcdsaP256Sha256, AsBytes(digest),
                               kDeadline, &detail);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  auto no_version = (*pool)->Sign("p256", 7, SignAlgorithm::kEcdsaP256Sha256, AsBytes(digest),
                                  kDeadline, &detail);
  EXPECT_EQ(no_version.status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*pool)->Describe("nope", 0).status().code(), StatusCode::kNotFound);
  // None of these reached the HSM.
  EXPECT_TRUE(detail.empty()) << detail;
}

TEST_F(PoolSignTest, CreateRefusesMissingKeysAndNamesTheUri) {
  PoolConfig config = env_.Config(kSoftHsmModule, {"signer-a"});
  config.keys.push_back(OneKey("k", {"pkcs11:token=signer-a;object=absent;type=private"}));
  auto pool = signer::CreatePkcs11Pool(config);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(), StatusCode::kNotFound);
  EXPECT_NE(pool.status().message().find("object=absent"), std::string_view::npos)
      << pool.status().message();

  config.keys[0] = OneKey("k", {"pkcs11:token=no-such-token;object=x"});
  pool = signer::CreatePkcs11Pool(config);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(), StatusCode::kNotFound);
  EXPECT_NE(pool.status().message().find("no-such-token"), std::string_view::npos);
}

TEST_F(PoolSignTest, CreateRefusesSecretsInUrisAndUnknownAttributes) {
  PoolConfig config = env_.Config(kSoftHsmModule, {"signer-a"});
  config.keys.push_back(OneKey("k", {"pkcs11:token=signer-a;object=x?pin-value=1234"}));
  auto pool = signer::CreatePkcs11Pool(config);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pool.status().message().find("pin-value"), std::string_view::npos);
  EXPECT_EQ(pool.status().message().find("1234"), std::string_view::npos);
  config.keys[0] = OneKey("k", {"pkcs11:token=signer-a;objekt=x"});
  pool = signer::CreatePkcs11Pool(config);
  ASSERT_FALSE(pool.ok());
  EXPECT_NE(pool.status().message().find("objekt"), std::string_view::npos);
}

TEST_F(PoolSignTest, CreateRefusesAPinFileOthersCanRead) {
  ASSERT_TRUE(env_.GenerateKey("signer-a", "p256", "ec-p256").ok());
  std::string loose = env_.dir() + "/loose.pin";
  ASSERT_TRUE(WriteFileAtomic(loose, AsBytes(kUserPin), 0644).ok());
  PoolConfig config = env_.Config(kSoftHsmModule, {});
  config.logins.push_back(signer::TokenLogin{"pkcs11:token=signer-a", loose});
  config.keys.push_back(OneKey("p256", {"pkcs11:token=signer-a;object=p256"}));
  auto pool = signer::CreatePkcs11Pool(config);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(), StatusCode::kPermissionDenied);

  std::string wrong = env_.dir() + "/wrong.pin";
  ASSERT_TRUE(WriteFileAtomic(wrong, AsBytes("not-the-pin"), 0600).ok());
  config.logins[0].pin_file = wrong;
  pool = signer::CreatePkcs11Pool(config);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(pool.status().message().find("not-the-pin"), std::string_view::npos);
}

TEST_F(PoolSignTest, ReplicasMustHoldTheSamePublicKey) {
  ASSERT_TRUE(env_.InitToken("signer-b").ok());
  ASSERT_TRUE(env_.GenerateKey("signer-a", "k", "ec-p256").ok());
  ASSERT_TRUE(env_.GenerateKey("signer-b", "k", "ec-p256").ok());  // another key, same label
  PoolConfig config = env_.Config(kSoftHsmModule, {"signer-a", "signer-b"});
  config.keys.push_back(
      OneKey("k", {"pkcs11:token=signer-a;object=k", "pkcs11:token=signer-b;object=k"}));
  auto pool = signer::CreatePkcs11Pool(config);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(pool.status().message().find("token=signer-b"), std::string_view::npos)
      << pool.status().message();
}

TEST_F(PoolSignTest, ExtractableKeysAreRefusedUnlessAllowed) {
  ASSERT_TRUE(env_.ImportEcKey("signer-a", "soft", "\x01\x02", NewEcP256Pem(), /*extractable=*/true).ok());
  PoolConfig config = env_.Config(kSoftHsmModule, {"signer-a"});
  config.keys.push_back(OneKey("soft", {"pkcs11:token=signer-a;object=soft"}));
  auto pool = signer::CreatePkcs11Pool(config);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(pool.status().message().find("extractable"), std::string_view::npos);
  config.keys[0].versions[0].allow_extractable = true;
  pool = signer::CreatePkcs11Pool(config);
  ASSERT_TRUE(pool.ok()) << pool.status().message();
}

TEST_F(PoolSignTest, ChainMustMatchTheKey) {
  ASSERT_TRUE(env_.GenerateKey("signer-a", "k", "ec-p256").ok());
  // A self-signed certificate for another key, and one for the key itself
  // (made through signerctl's CSR, signed by an OpenSSL CA key).
  std::string other_key = env_.dir() + "/other.key";
  std::string other_cert = env_.dir() + "/other.pem";
  std::string out;
  ASSERT_EQ(RunCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", other_key, "-out",
                        other_cert, "-subj", "/CN=other", "-days", "30"},
                       &out),
            0)
      << out;
  PoolConfig config = env_.Config(kSoftHsmModule, {"signer-a"});
  config.keys.push_back(OneKey("k", {"pkcs11:token=signer-a;object=k"}));
  config.keys[0].versions[0].chain_file = other_cert;
  auto pool = signer::CreatePkcs11Pool(config);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(pool.status().message().find("another public key"), std::string_view::npos);

  std::string bin = std::string(std::getenv("PKI_BIN_DIR")) + "/signerctl";
  std::string csr = env_.dir() + "/k.csr";
  ASSERT_EQ(RunCommand({bin, "csr", "--module", kSoftHsmModule, "--token", "signer-a",
                        "--pin-file", env_.pin_file(), "--label", "k", "--subject", "/CN=k",
                        "--out", csr},
                       &out),
            0)
      << out;
  std::string cert = env_.dir() + "/k.pem";
  ASSERT_EQ(RunCommand({"openssl", "x509", "-req", "-in", csr, "-CA", other_cert, "-CAkey",
                        other_key, "-CAcreateserial", "-out", cert, "-days", "10"},
                       &out),
            0)
      << out;
  StatusOr<std::string> leaf = ReadFile(cert);
  StatusOr<std::string> ca = ReadFile(other_cert);
  ASSERT_TRUE(leaf.ok() && ca.ok());
  ASSERT_TRUE(WriteFileAtomic(cert, AsBytes(*leaf + *ca), 0644).ok());
  config.keys[0].versions[0].chain_file = cert;
  pool = signer::CreatePkcs11Pool(config);
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  auto info = (*pool)->Describe("k", 0);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->chain_der.size(), 2u);
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  EXPECT_GT(info->not_after_unix, now + 9 * 86400);
  EXPECT_LT(info->not_after_unix, now + 11 * 86400);
}

}  // namespace
}  // namespace pki::testing
