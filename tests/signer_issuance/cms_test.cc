// Integration: detached CMS signatures made with keys in a real SoftHSMv2
// token through the PKCS#11 pool, from the file's digest only; checked with
// `openssl cms -verify` and VerifyDetachedCms.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <chrono>

#include "common/file.h"
#include "common/pem.h"
#include "signer/cms.h"
#include "signer/pkcs11_pool.h"
#include "softhsm_env.h"
#include "test_ca.h"

namespace pki::testing {
namespace {

using signer::SignAlgorithm;

constexpr std::chrono::milliseconds kDeadline{5000};

std::string Digest(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

class CmsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.InitToken("release").ok());
    signer::PoolConfig config = env_.Config(kSoftHsmModule, {"release"});
    for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
             {"cs-p256", "ec-p256"}, {"cs-p384", "ec-p384"}, {"cs-rsa", "rsa-2048"}}) {
      ASSERT_TRUE(env_.GenerateKey("release", name, type).ok());
      signer::KeyConfig key;
      key.name = name;
      signer::KeyVersionConfig v;
      v.replica_uris = {"pkcs11:token=release;object=" + name + ";type=private"};
      key.versions.push_back(v);
      config.keys.push_back(key);
    }
    StatusOr<std::unique_ptr<signer::KeyPool>> pool = signer::CreatePkcs11Pool(config);
    ASSERT_TRUE(pool.ok()) << pool.status().message();
    pool_ = std::move(pool).value();
    root_ = MakeRoot();
    StatusOr<std::string> root_der = CertificateToDer(*root_.cert);
    ASSERT_TRUE(root_der.ok());
    root_der_ = *root_der;
    ASSERT_TRUE(WriteFileAtomic(env_.dir() + "/root.pem", AsBytes(CertPem(root_der_)), 0600).ok());
  }

  std::string CertFor(const std::string& key) {
    StatusOr<signer::KeyVersionInfo> info = pool_->Describe(key, 0);
    EXPECT_TRUE(info.ok());
    return IssueCodeSigningCert(root_, info->spki_der);
  }

  signer::RawSignFn Remote(const std::string& key) {
    return [this, key](SignAlgorithm alg, ByteSpan input) -> StatusOr<std::string> {
      ++remote_calls_;
      std::string detail;
      PKI_ASSIGN_OR_RETURN(signer::SignResult r, pool_->Sign(key, 0, alg, input, kDeadline, &detail));
      return r.signature;
    };
  }

  int OpensslCmsVerify(const std::string& sig_der, const std::string& content, std::string* out) {
    const std::string sig = env_.dir() + "/artifact.p7s";
    const std::string file = env_.dir() + "/artifact.bin";
    EXPECT_TRUE(WriteFileAtomic(sig, AsBytes(sig_der), 0600).ok());
    EXPECT_TRUE(WriteFileAtomic(file, AsBytes(content), 0600).ok());
    return RunCommand({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", file,
                       "-CAfile", env_.dir() + "/root.pem", "-purpose", "any", "-out", "/dev/null"},
                      out);
  }

  SoftHsmEnv env_;
  std::unique_ptr<signer::KeyPool> pool_;
  TestRoot root_;
  std::string root_der_;
  int remote_calls_ = 0;
};

TEST_F(CmsTest, SignaturesFromTheHsmVerifyWithOpensslCms) {
  const std::string artifact = std::string("release artifact v1.2.3\n") + std::string(100000, '\x5a');
  struct Case {
    const char* key;
    SignAlgorithm alg;
    const EVP_MD* md;
  };
  const Case cases[] = {
      {"cs-p256", SignAlgorithm::kEcdsaP256Sha256, EVP_sha256()},
      {"cs-p384", SignAlgorithm::kEcdsaP384Sha384, EVP_sha384()},
      {"cs-rsa", SignAlgorithm::kRsaPkcs1Sha256, EVP_sha256()},
      {"cs-rsa", SignAlgorithm::kRsaPkcs1Sha384, EVP_sha384()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.key) + " " + signer::AlgorithmName(c.alg));
    signer::CmsSignRequest req;
    req.content_digest = Digest(c.md, artifact);
    req.algorithm = c.alg;
    req.signer_cert_der = CertFor(c.key);
    req.signing_time_unix = 1790000000;
    StatusOr<std::string> cms = signer::SignDetachedCms(req, Remote(c.key));
    ASSERT_TRUE(cms.ok()) << cms.status().message();
    std::string out;
    EXPECT_EQ(OpensslCmsVerify(*cms, artifact, &out), 0) << out;
    EXPECT_NE(out.find("Verification successful"), std::string::npos) << out;
    std::string modified = artifact;
    modified[10] = 'X';
    out.clear();
    EXPECT_NE(OpensslCmsVerify(*cms, modified, &out), 0) << out;
    EXPECT_NE(out.find("Verification failure"), std::string::npos) << out;

    StatusOr<signer::CmsVerified> v = signer::VerifyDetachedCms(*cms, AsBytes(req.content_digest), {root_der_});
    ASSERT_TRUE(v.ok()) << v.status().message();
    EXPECT_EQ(v->signer_cert_der, req.signer_cert_der);
    EXPECT_EQ(v->signing_time_unix, 1790000000);
    const std::string wrong = Digest(c.md, modified);
    StatusOr<signer::CmsVerified> bad = signer::VerifyDetachedCms(*cms, AsBytes(wrong), {root_der_});
    EXPECT_EQ(bad.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(bad.status().message().find("messageDigest"), std::string_view::npos) << bad.status().message();
    // Another root: the chain does not verify.
    TestRoot other = MakeRoot();
    StatusOr<std::string> other_der = CertificateToDer(*other.cert);
    ASSERT_TRUE(other_der.ok());
    bad = signer::VerifyDetachedCms(*cms, AsBytes(req.content_digest), {*other_der});
    EXPECT_EQ(bad.status().code(), StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(remote_calls_, static_cast<int>(std::size(cases)));
}

TEST_F(CmsTest, BadRequestsAndABadRemoteSignatureAreRefused) {
  const std::string artifact = "payload";
  signer::CmsSignRequest req;
  req.content_digest = Digest(EVP_sha256(), artifact);
  req.algorithm = SignAlgorithm::kEcdsaP384Sha384;  // digest is 32 bytes
  req.signer_cert_der = CertFor("cs-p256");
  EXPECT_EQ(signer::SignDetachedCms(req, Remote("cs-p256")).status().code(), StatusCode::kInvalidArgument);
  req.algorithm = SignAlgorithm::kRsaPkcs1Sha256;  // the certificate's key is EC
  EXPECT_EQ(signer::SignDetachedCms(req, Remote("cs-p256")).status().code(), StatusCode::kInvalidArgument);
  req.algorithm = SignAlgorithm::kEd25519;
  EXPECT_EQ(signer::SignDetachedCms(req, Remote("cs-p256")).status().code(), StatusCode::kUnimplemented);
  req.algorithm = SignAlgorithm::kEcdsaP256Sha256;
  req.signer_cert_der = "junk";
  EXPECT_EQ(signer::SignDetachedCms(req, Remote("cs-p256")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(remote_calls_, 0);

  // A remote signature over other bytes: caught, nothing released.
  req.signer_cert_der = CertFor("cs-p256");
  signer::RawSignFn tampering = [this](SignAlgorithm, ByteSpan input) -> StatusOr<std::string> {
    std::string detail;
    std::string other(AsChars(input));
    other[0] = static_cast<char>(other[0] ^ 1);  // signs other bytes
    PKI_ASSIGN_OR_RETURN(signer::SignResult r, pool_->Sign("cs-p256", 0, SignAlgorithm::kEcdsaP256Sha256,
                                                            AsBytes(other), kDeadline, &detail));
    return r.signature;
  };
  StatusOr<std::string> wrong_key = signer::SignDetachedCms(req, tampering);
  EXPECT_EQ(wrong_key.status().code(), StatusCode::kInternal);
  // A failing remote signer passes its error on.
  StatusOr<std::string> down = signer::SignDetachedCms(
      req, [](SignAlgorithm, ByteSpan) -> StatusOr<std::string> { return UnavailableError("pool down"); });
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  // A certificate without the codeSigning EKU signs nothing verifiable.
  StatusOr<signer::KeyVersionInfo> info = pool_->Describe("cs-p256", 0);
  ASSERT_TRUE(info.ok());
  req.signer_cert_der = IssueCaCert(root_, info->spki_der, "not a code signer", 30);
  StatusOr<std::string> no_eku = signer::SignDetachedCms(req, Remote("cs-p256"));
  ASSERT_TRUE(no_eku.ok()) << no_eku.status().message();
  StatusOr<signer::CmsVerified> refused = signer::VerifyDetachedCms(*no_eku, AsBytes(req.content_digest), {root_der_});
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("codeSigning"), std::string_view::npos) << refused.status().message();
  // Garbage is not a CMS.
  EXPECT_EQ(signer::VerifyDetachedCms("garbage", AsBytes(req.content_digest), {root_der_}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::testing
