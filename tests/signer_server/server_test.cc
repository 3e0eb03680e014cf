// The signer's gRPC server over real mutual TLS (certificates made here with
// OpenSSL), driven with a software KeyPool; signatures verified by OpenSSL.
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/error_details.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_verify.h"
#include "base/crc32.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "server/server.h"
#include "signer/v1/signer.grpc.pb.h"
#include "software_key_pool.h"
#include "test_pki.h"

namespace pki::signer {
namespace {

using ::testing::HasSubstr;
using testing::Credential;
using testing::SoftKeyType;
using testing::SoftwareKeyPool;
using testing::TestPki;

std::string Sha(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  PKI_CHECK(EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) == 1);
  return std::string(reinterpret_cast<char*>(out), len);
}

// Verify checks |sig| over |data| with the SPKI, independently of the pool:
// OpenSSL hashes |data| itself.
bool Verify(const std::string& spki_der, v1::Algorithm alg, std::string_view data, const std::string& sig) {
  const auto* p = reinterpret_cast<const unsigned char*>(spki_der.data());
  OsslPtr<EVP_PKEY> key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
  if (!key) return false;
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = nullptr;
  switch (alg) {
    case v1::ECDSA_P256_SHA256: case v1::RSA_PKCS1_SHA256: case v1::RSA_PSS_SHA256: md = EVP_sha256(); break;
    case v1::ECDSA_P384_SHA384: case v1::RSA_PKCS1_SHA384: case v1::RSA_PSS_SHA384: md = EVP_sha384(); break;
    case v1::RSA_PKCS1_SHA512: case v1::RSA_PSS_SHA512: md = EVP_sha512(); break;
    default: md = nullptr;
  }
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.get()) != 1) return false;
  if (alg == v1::RSA_PSS_SHA256 || alg == v1::RSA_PSS_SHA384 || alg == v1::RSA_PSS_SHA512) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

struct Details {
  std::string reason;
  std::string domain;
  int64_t retry_ms = -1;
};

Details DetailsOf(const grpc::Status& s) {
  Details d;
  google::rpc::Status st;
  if (!st.ParseFromString(s.error_details())) return d;
  for (const auto& any : st.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::RetryInfo retry;
    if (any.UnpackTo(&info) && any.Is<google::rpc::ErrorInfo>()) {
      d.reason = info.reason();
      d.domain = info.domain();
    } else if (any.Is<google::rpc::RetryInfo>() && any.UnpackTo(&retry)) {
      d.retry_ms = retry.retry_delay().seconds() * 1000 + retry.retry_delay().nanos() / 1000000;
    }
  }
  return d;
}

class SignerServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::MakeTempDir("signer_server_test"));
    pki_ = new TestPki(*dir_);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete pki_;
    delete dir_;
  }

  void SetUp() override {
    audit_dir_ = testing::MakeTempDir("signer_server_audit");
    spki_["release"] = pool_.AddKey("release", 1, KeyPurpose::kArtifactSigning, SoftKeyType::kEcP256);
    spki_["release2"] = pool_.AddKey("release", 2, KeyPurpose::kArtifactSigning, SoftKeyType::kEcP256);
    spki_["rsa"] = pool_.AddKey("rsa", 1, KeyPurpose::kArtifactSigning, SoftKeyType::kRsa2048);
    spki_["ed"] = pool_.AddKey("ed", 1, KeyPurpose::kArtifactSigning, SoftKeyType::kEd25519);
    spki_["issuing"] = pool_.AddKey("issuing", 1, KeyPurpose::kCertificateIssuance, SoftKeyType::kEcP256);
    spki_["nightly"] = pool_.AddKey("nightly", 1, KeyPurpose::kArtifactSigning, SoftKeyType::kEcP256);
    for (const char* k : {"release", "rsa", "ed", "issuing", "nightly"}) {
      keys_.push_back(KeyConfig{k, std::string(k) == "issuing" ? KeyPurpose::kCertificateIssuance
                                                               : KeyPurpose::kArtifactSigning, 1, {}});
    }
    ClientPolicy ci{"ci", IdentityKind::kUriSan, "spiffe://example.org/ci",
                    {{"release", true, true}, {"rsa", true, true}, {"ed", true, true},
                     {"issuing", false, true}, {"nightly", false, true}}, 0, 0, {}, {}};
    ClientPolicy ra{"ra", IdentityKind::kSubject, "CN=ra,O=Example", {{"issuing", false, true}}, 1, 2, {}, {}};
    ClientPolicy builder{"builder", IdentityKind::kDnsSan, "builder.example.org", {{"nightly", true, false}}, 0, 0, {}, {}};
    ClientPolicy revoked{"revoked", IdentityKind::kUriSan, "spiffe://example.org/revoked",
                         {{"release", true, true}}, 0, 0, {}, {}};
    policy_config_.clients = {ci, ra, builder, revoked};
    audit_ = std::move(AuditLog::Open({audit_dir_ + "/audit.log", 1 << 20, &faults_})).value();
    StartServer();
  }

  void StartServer(uint32_t watch_s = 0, const Credential* server_cred = nullptr) {
    ServerConfig sc;
    sc.listen = "127.0.0.1:0";
    sc.cert_file = (server_cred ? *server_cred : pki_->server).cert_file;
    sc.key_file = (server_cred ? *server_cred : pki_->server).key_file;
    sc.tls_watch_interval_s = watch_s;
    sc.client_cas = {{pki_->ca_file, pki_->crl_file}};
    sc.metrics_listen = "127.0.0.1:0";
    sc.health_refresh = std::chrono::milliseconds(100);
    auto policy = Policy::Create(policy_config_, keys_);
    PKI_CHECK(policy.ok());
    auto server = SignerServer::Start(sc, pool_, *audit_, std::shared_ptr<const Policy>(std::move(policy).value()));
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
  }

  void TearDown() override {
    server_.reset();
    audit_.reset();
    std::filesystem::remove_all(audit_dir_);
  }

  std::shared_ptr<grpc::Channel> Channel(const Credential* cred) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = pki_->ca_pem;
    if (cred != nullptr) {
      o.pem_cert_chain = cred->cert_pem;
      o.pem_private_key = cred->key_pem;
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    args.SetInt("grpc.use_local_subchannel_pool", 1);  // a fresh connection per channel
    return grpc::CreateCustomChannel(server_->address(), grpc::SslCredentials(o), args);
  }
  std::unique_ptr<v1::Signer::Stub> Stub(const Credential& cred) { return v1::Signer::NewStub(Channel(&cred)); }

  static void Deadline(grpc::ClientContext& ctx) {
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  }

  grpc::Status Sign(v1::Signer::Stub& stub, const v1::SignRequest& req, v1::SignResponse* resp) {
    grpc::ClientContext ctx;
    Deadline(ctx);
    return stub.Sign(&ctx, req, resp);
  }

  static v1::SignRequest DigestRequest(const std::string& key, v1::Algorithm alg, std::string_view data) {
    v1::SignRequest r;
    r.set_key_name(key);
    r.set_algorithm(alg);
    r.set_request_id("req-" + key);
    const int bits = (alg == v1::RSA_PKCS1_SHA384 || alg == v1::RSA_PSS_SHA384) ? 384
                     : (alg == v1::RSA_PKCS1_SHA512 || alg == v1::RSA_PSS_SHA512) ? 512 : 256;
    if (bits == 256) r.mutable_digest()->set_sha256(Sha(EVP_sha256(), data));
    if (bits == 384) r.mutable_digest()->set_sha384(Sha(EVP_sha384(), data));
    if (bits == 512) r.mutable_digest()->set_sha512(Sha(EVP_sha512(), data));
    return r;
  }

  void ExpectError(const grpc::Status& s, grpc::StatusCode code, const std::string& reason) {
    EXPECT_EQ(s.error_code(), code) << s.error_message();
    Details d = DetailsOf(s);
    EXPECT_EQ(d.reason, reason) << s.error_message();
    EXPECT_EQ(d.domain, "signer.pki");
  }

  static std::string* dir_;
  static TestPki* pki_;
  std::string audit_dir_;
  SoftwareKeyPool pool_;
  std::map<std::string, std::string> spki_;
  std::vector<KeyConfig> keys_;
  PolicyConfig policy_config_;
  AuditFaults faults_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<SignerServer> server_;
};

std::string* SignerServerTest::dir_ = nullptr;
TestPki* SignerServerTest::pki_ = nullptr;

TEST_F(SignerServerTest, EcdsaSignatureVerifiesWithOpenSsl) {
  auto stub = Stub(pki_->ci);
  const std::string data = "artifact bytes";
  v1::SignRequest req = DigestRequest("release", v1::ECDSA_P256_SHA256, data);
  req.set_input_crc32c(Crc32c(AsBytes(req.digest().sha256())));
  v1::SignResponse resp;
  grpc::Status s = Sign(*stub, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.key_name(), "release");
  EXPECT_EQ(resp.key_version(), 2u);  // the primary
  EXPECT_EQ(resp.algorithm(), v1::ECDSA_P256_SHA256);
  EXPECT_EQ(resp.audit_id(), "1:1");
  EXPECT_TRUE(resp.verified_input_crc32c());
  EXPECT_EQ(resp.signature_crc32c(), Crc32c(AsBytes(resp.signature())));
  EXPECT_TRUE(Verify(spki_["release2"], v1::ECDSA_P256_SHA256, data, resp.signature()));
  EXPECT_FALSE(Verify(spki_["release2"], v1::ECDSA_P256_SHA256, "other bytes", resp.signature()));
  // An explicit older version signs with that version.
  req.set_key_version(1);
  ASSERT_TRUE(Sign(*stub, req, &resp).ok());
  EXPECT_EQ(resp.key_version(), 1u);
  EXPECT_TRUE(Verify(spki_["release"], v1::ECDSA_P256_SHA256, data, resp.signature()));
}

TEST_F(SignerServerTest, RsaAndEd25519SignaturesVerify) {
  auto stub = Stub(pki_->ci);
  const std::string data(1000, 'x');
  for (v1::Algorithm alg : {v1::RSA_PKCS1_SHA256, v1::RSA_PKCS1_SHA384, v1::RSA_PKCS1_SHA512,
                            v1::RSA_PSS_SHA256, v1::RSA_PSS_SHA384, v1::RSA_PSS_SHA512}) {
    v1::SignResponse resp;
    grpc::Status s = Sign(*stub, DigestRequest("rsa", alg, data), &resp);
    ASSERT_TRUE(s.ok()) << v1::Algorithm_Name(alg) << ": " << s.error_message();
    EXPECT_TRUE(Verify(spki_["rsa"], alg, data, resp.signature())) << v1::Algorithm_Name(alg);
  }
  v1::SignRequest req;
  req.set_key_name("ed");
  req.set_algorithm(v1::ED25519);
  req.set_message(std::string(64 * 1024, 'm'));  // the largest message allowed
  v1::SignResponse resp;
  ASSERT_TRUE(Sign(*stub, req, &resp).ok());
  EXPECT_TRUE(Verify(spki_["ed"], v1::ED25519, req.message(), resp.signature()));
}

TEST_F(SignerServerTest, HandshakeFailsWithoutClientCertOrFromAnotherCa) {
  const std::vector<const Credential*> creds = {nullptr, &pki_->other_ca_client};
  for (const Credential* cred : creds) {
    auto stub = v1::Signer::NewStub(Channel(cred));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ListKeysResponse resp;
    grpc::Status s = stub->ListKeys(&ctx, v1::ListKeysRequest(), &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  }
  EXPECT_EQ(pool_.sign_calls(), 0);
}

TEST_F(SignerServerTest, EveryBadInputGetsItsCode) {
  auto stub = Stub(pki_->ci);
  v1::SignResponse resp;
  const auto good = DigestRequest("release", v1::ECDSA_P256_SHA256, "data");
  struct Case {
    const char* what;
    std::function<void(v1::SignRequest&)> mutate;
    grpc::StatusCode code;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"no key", [](auto& r) { r.clear_key_name(); }, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_REQUEST"},
      {"no algorithm", [](auto& r) { r.set_algorithm(v1::ALGORITHM_UNSPECIFIED); },
       grpc::StatusCode::INVALID_ARGUMENT, "INVALID_REQUEST"},
      {"unknown algorithm", [](auto& r) { r.set_algorithm(static_cast<v1::Algorithm>(77)); },
       grpc::StatusCode::INVALID_ARGUMENT, "INVALID_REQUEST"},
      {"short digest", [](auto& r) { r.mutable_digest()->set_sha256(std::string(31, 'a')); },
       grpc::StatusCode::INVALID_ARGUMENT, "DIGEST_LENGTH"},
      {"digest of another hash", [](auto& r) { r.mutable_digest()->set_sha384(std::string(48, 'a')); },
       grpc::StatusCode::INVALID_ARGUMENT, "DIGEST_MISMATCH"},
      {"message for ECDSA", [](auto& r) { r.set_message("hello"); }, grpc::StatusCode::INVALID_ARGUMENT,
       "INPUT_MISMATCH"},
      {"no input", [](auto& r) { r.clear_input(); }, grpc::StatusCode::INVALID_ARGUMENT, "INPUT_MISMATCH"},
      {"algorithm the key can't do", [](auto& r) { r.set_algorithm(v1::RSA_PSS_SHA256); },
       grpc::StatusCode::INVALID_ARGUMENT, "ALGORITHM_MISMATCH"},
      {"bad crc", [](auto& r) { r.set_input_crc32c(Crc32c(AsBytes(r.digest().sha256())) ^ 1); },
       grpc::StatusCode::DATA_LOSS, "INPUT_CRC32C_MISMATCH"},
      {"long request id", [](auto& r) { r.set_request_id(std::string(129, 'r')); },
       grpc::StatusCode::INVALID_ARGUMENT, "INVALID_REQUEST"},
      {"version that does not exist", [](auto& r) { r.set_key_version(9); }, grpc::StatusCode::NOT_FOUND,
       "KEY_NOT_FOUND"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    v1::SignRequest req = good;
    c.mutate(req);
    ExpectError(Sign(*stub, req, &resp), c.code, c.reason);
  }
  // Ed25519: a digest is refused, a message over 64 KiB is refused.
  v1::SignRequest ed;
  ed.set_key_name("ed");
  ed.set_algorithm(v1::ED25519);
  ed.mutable_digest()->set_sha256(std::string(32, 'a'));
  ExpectError(Sign(*stub, ed, &resp), grpc::StatusCode::INVALID_ARGUMENT, "INPUT_MISMATCH");
  ed.set_message(std::string(64 * 1024 + 1, 'm'));
  ExpectError(Sign(*stub, ed, &resp), grpc::StatusCode::INVALID_ARGUMENT, "MESSAGE_TOO_LARGE");
  EXPECT_EQ(pool_.sign_calls(), 0);  // nothing bad reached the pool
  // Every request was journaled, refused ones included.
  auto report = VerifyAuditLog(ListAuditFiles(audit_dir_ + "/audit.log"));
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, cases.size() + 2);
}

TEST_F(SignerServerTest, UnauthorizedCasesGetTheirCodesAndLeakNothing) {
  v1::SignResponse resp;
  auto ra = Stub(pki_->ra);
  // A key that does not exist and a key that exists but is not ra's: same answer.
  grpc::Status missing = Sign(*ra, DigestRequest("no-such-key", v1::ECDSA_P256_SHA256, "d"), &resp);
  grpc::Status hidden = Sign(*ra, DigestRequest("release", v1::ECDSA_P256_SHA256, "d"), &resp);
  ExpectError(missing, grpc::StatusCode::NOT_FOUND, "KEY_NOT_FOUND");
  ExpectError(hidden, grpc::StatusCode::NOT_FOUND, "KEY_NOT_FOUND");
  EXPECT_EQ(missing.error_message(), hidden.error_message());
  EXPECT_EQ(missing.error_details(), hidden.error_details());
  // The hidden key's algorithm check must not leak either (checked after
  // authorization). builder: unlimited rate, rsa is hidden from it.
  auto b = Stub(pki_->builder);
  grpc::Status hidden_bad_alg = Sign(*b, DigestRequest("rsa", v1::ECDSA_P256_SHA256, "d"), &resp);
  grpc::Status b_missing = Sign(*b, DigestRequest("no-such-key", v1::RSA_PSS_SHA256, "d"), &resp);
  EXPECT_EQ(hidden_bad_alg.error_details(), missing.error_details());
  EXPECT_EQ(b_missing.error_details(), missing.error_details());

  auto ci = Stub(pki_->ci);
  // Visible, but ci may not sign with it.
  ExpectError(Sign(*ci, DigestRequest("nightly", v1::ECDSA_P256_SHA256, "d"), &resp),
              grpc::StatusCode::PERMISSION_DENIED, "OPERATION_NOT_PERMITTED");
  // An issuing CA key is never reachable through raw Sign.
  ExpectError(Sign(*ci, DigestRequest("issuing", v1::ECDSA_P256_SHA256, "d"), &resp),
              grpc::StatusCode::PERMISSION_DENIED, "KEY_PURPOSE_MISMATCH");
  // builder may sign with nightly but not read its public key.
  auto builder = Stub(pki_->builder);
  EXPECT_TRUE(Sign(*builder, DigestRequest("nightly", v1::ECDSA_P256_SHA256, "d"), &resp).ok());
  {
    grpc::ClientContext ctx;
    Deadline(ctx);
    v1::GetPublicKeyRequest req;
    req.set_key_name("nightly");
    v1::GetPublicKeyResponse pk;
    ExpectError(builder->GetPublicKey(&ctx, req, &pk), grpc::StatusCode::PERMISSION_DENIED,
                "OPERATION_NOT_PERMITTED");
  }
  // A valid certificate that is in no policy.
  ExpectError(Sign(*Stub(pki_->stranger), DigestRequest("release", v1::ECDSA_P256_SHA256, "d"), &resp),
              grpc::StatusCode::PERMISSION_DENIED, "CLIENT_NOT_AUTHORIZED");
  // A revoked certificate (the CRL of the client CA lists it): refused in
  // the TLS handshake, so the client sees UNAVAILABLE (tests/signer_tls).
  EXPECT_EQ(Sign(*Stub(pki_->revoked), DigestRequest("release", v1::ECDSA_P256_SHA256, "d"), &resp).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(pool_.sign_calls(), 1);  // only builder's allowed request
}

TEST_F(SignerServerTest, RateLimitAnswersResourceExhaustedWithRetryInfo) {
  auto ra = Stub(pki_->ra);  // 1 request/s, burst 2
  grpc::Status last;
  int ok = 0;
  for (int i = 0; i < 4; ++i) {
    grpc::ClientContext ctx;
    Deadline(ctx);
    v1::GetPublicKeyRequest req;
    req.set_key_name("issuing");
    v1::GetPublicKeyResponse resp;
    last = ra->GetPublicKey(&ctx, req, &resp);
    if (last.ok()) ++ok;
  }
  EXPECT_EQ(ok, 2);
  ExpectError(last, grpc::StatusCode::RESOURCE_EXHAUSTED, "RATE_LIMITED");
  const Details d = DetailsOf(last);
  EXPECT_GT(d.retry_ms, 0);
  EXPECT_LE(d.retry_ms, 1000);
}

TEST_F(SignerServerTest, GetPublicKeyAndListKeysShowOnlyWhatTheCallerMayUse) {
  auto ci = Stub(pki_->ci);
  {
    grpc::ClientContext ctx;
    Deadline(ctx);
    v1::GetPublicKeyRequest req;
    req.set_key_name("issuing");
    v1::GetPublicKeyResponse resp;
    ASSERT_TRUE(ci->GetPublicKey(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.spki_der(), spki_["issuing"]);
    EXPECT_EQ(resp.purpose(), v1::CERTIFICATE_ISSUANCE);
    EXPECT_EQ(resp.key_version(), 1u);
    ASSERT_EQ(resp.algorithms_size(), 1);
    EXPECT_EQ(resp.algorithms(0), v1::ECDSA_P256_SHA256);
  }
  {
    grpc::ClientContext ctx;
    Deadline(ctx);
    v1::ListKeysResponse resp;
    ASSERT_TRUE(ci->ListKeys(&ctx, v1::ListKeysRequest(), &resp).ok());
    std::vector<std::string> names;
    for (const auto& k : resp.keys()) names.push_back(k.name());
    EXPECT_EQ(names, (std::vector<std::string>{"ed", "issuing", "nightly", "release", "rsa"}));
    for (const auto& k : resp.keys()) {
      if (k.name() == "release") {
        EXPECT_EQ(k.versions_size(), 2);
        EXPECT_EQ(k.primary_version(), 2u);
        EXPECT_TRUE(k.may_sign());
      }
      if (k.name() == "issuing" || k.name() == "nightly") {
        EXPECT_FALSE(k.may_sign()) << k.name();
      }
    }
  }
  {
    grpc::ClientContext ctx;
    Deadline(ctx);
    v1::ListKeysResponse resp;
    ASSERT_TRUE(Stub(pki_->ra)->ListKeys(&ctx, v1::ListKeysRequest(), &resp).ok());
    ASSERT_EQ(resp.keys_size(), 1);
    EXPECT_EQ(resp.keys(0).name(), "issuing");
  }
}

TEST_F(SignerServerTest, UnavailablePoolIsSanitizedRetryableAndShowsInHealth) {
  auto ci = Stub(pki_->ci);
  auto health = grpc::health::v1::Health::NewStub(Channel(&pki_->ci));
  auto check = [&](const std::string& service) {
    grpc::ClientContext ctx;
    Deadline(ctx);
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status s = health->Check(&ctx, req, &resp);
    return s.ok() ? static_cast<int>(resp.status()) : -static_cast<int>(s.error_code());
  };
  EXPECT_EQ(check(""), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(check("release"), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(check("nope"), -static_cast<int>(grpc::StatusCode::NOT_FOUND));

  pool_.SetUnavailable("release", true);
  v1::SignResponse resp;
  grpc::Status s = Sign(*ci, DigestRequest("release", v1::ECDSA_P256_SHA256, "d"), &resp);
  ExpectError(s, grpc::StatusCode::UNAVAILABLE, "KEY_UNAVAILABLE");
  EXPECT_GT(DetailsOf(s).retry_ms, 0);
  EXPECT_EQ(s.error_message().find("CKR"), std::string::npos);
  EXPECT_EQ(s.error_message().find("token"), std::string::npos);
  // The detail went to the audit log, not to the client.
  EXPECT_THAT(testing::ReadText(audit_dir_ + "/audit.log"), HasSubstr("CKR_DEVICE_ERROR"));

  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // a health refresh or more
  EXPECT_EQ(check("release"), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(check("rsa"), grpc::health::v1::HealthCheckResponse::SERVING);
  pool_.SetUnavailable("release", false);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(check("release"), grpc::health::v1::HealthCheckResponse::SERVING);
}

class FailingAudit final : public AuditFaults {
 public:
  Status BeforeSync() override { return fail ? InternalError("injected") : OkStatus(); }
  std::atomic<bool> fail{false};
};

TEST_F(SignerServerTest, ASignatureThatCannotBeJournaledIsWithheld) {
  server_.reset();
  audit_.reset();
  FailingAudit faults;
  audit_ = std::move(AuditLog::Open({audit_dir_ + "/audit2.log", 1 << 20, &faults})).value();
  StartServer();
  auto ci = Stub(pki_->ci);
  v1::SignResponse resp;
  ASSERT_TRUE(Sign(*ci, DigestRequest("release", v1::ECDSA_P256_SHA256, "d"), &resp).ok());
  faults.fail = true;
  v1::SignResponse withheld;
  grpc::Status s = Sign(*ci, DigestRequest("release", v1::ECDSA_P256_SHA256, "d"), &withheld);
  ExpectError(s, grpc::StatusCode::UNAVAILABLE, "AUDIT_UNAVAILABLE");
  EXPECT_TRUE(withheld.signature().empty());
  EXPECT_EQ(pool_.sign_calls(), 2);  // it was signed, and not released
}

TEST_F(SignerServerTest, AuditRecordsEveryRequestWithItsFields) {
  auto ci = Stub(pki_->ci);
  v1::SignResponse resp;
  v1::SignRequest req = DigestRequest("release", v1::ECDSA_P256_SHA256, "payload");
  req.set_request_id("build-1234");
  ASSERT_TRUE(Sign(*ci, req, &resp).ok());
  ExpectError(Sign(*Stub(pki_->ra), req, &resp), grpc::StatusCode::NOT_FOUND, "KEY_NOT_FOUND");
  const std::string log = testing::ReadText(audit_dir_ + "/audit.log");
  std::string digest_hex;
  {
    unsigned char h[32];
    SHA256(reinterpret_cast<const unsigned char*>(req.digest().sha256().data()), 32, h);
    digest_hex = HexOf(std::string_view(reinterpret_cast<char*>(h), 32));
  }
  EXPECT_THAT(log, HasSubstr("\"client\":\"ci\",\"method\":\"Sign\",\"request_id\":\"build-1234\",\"key\":\"release\",\"key_version\":2"));
  EXPECT_THAT(log, HasSubstr("\"alg\":\"ecdsa-p256-sha256\",\"input_sha256\":\"" + digest_hex + "\",\"outcome\":\"OK\""));
  EXPECT_THAT(log, HasSubstr("\"client\":\"ra\",\"method\":\"Sign\",\"request_id\":\"build-1234\""));
  EXPECT_THAT(log, HasSubstr("\"outcome\":\"NOT_FOUND\""));
  EXPECT_TRUE(VerifyAuditLog({audit_dir_ + "/audit.log"}).ok());
}

// The service parses each distinct client certificate once and keeps it:
// concurrent clients on their own connections must still each be decided,
// and journaled, as themselves.
TEST_F(SignerServerTest, ConcurrentClientsKeepTheirOwnIdentities) {
  constexpr int kRounds = 15;
  std::atomic<int> wrong{0};
  auto run = [&](const Credential& cred, const char* allowed, const char* refused) {
    auto stub = Stub(cred);
    for (int i = 0; i < kRounds; ++i) {
      v1::SignResponse resp;
      if (!Sign(*stub, DigestRequest(allowed, v1::ECDSA_P256_SHA256, "d"), &resp).ok()) wrong.fetch_add(1);
      if (Sign(*stub, DigestRequest(refused, v1::ECDSA_P256_SHA256, "d"), &resp).ok()) wrong.fetch_add(1);
    }
  };
  // ci may sign release but not nightly; builder the other way round.
  std::thread a([&] { run(pki_->ci, "release", "nightly"); });
  std::thread b([&] { run(pki_->builder, "nightly", "release"); });
  a.join();
  b.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(pool_.sign_calls(), 2 * kRounds);
  const std::string log = testing::ReadText(audit_dir_ + "/audit.log");
  auto count = [&](const std::string& needle) {
    int n = 0;
    for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("\"client\":\"ci\",\"method\":\"Sign\""), 2 * kRounds);
  EXPECT_EQ(count("\"client\":\"builder\",\"method\":\"Sign\""), 2 * kRounds);
}

TEST_F(SignerServerTest, PolicyReloadAppliesToNewRequests) {
  auto builder = Stub(pki_->builder);
  v1::SignResponse resp;
  ExpectError(Sign(*builder, DigestRequest("release", v1::ECDSA_P256_SHA256, "d"), &resp),
              grpc::StatusCode::NOT_FOUND, "KEY_NOT_FOUND");
  policy_config_.clients[2].keys.push_back({"release", true, false});
  server_->ReloadPolicy(std::shared_ptr<const Policy>(std::move(Policy::Create(policy_config_, keys_)).value()));
  // Same connection, new policy.
  EXPECT_TRUE(Sign(*builder, DigestRequest("release", v1::ECDSA_P256_SHA256, "d"), &resp).ok());
}

// The server certificate a fresh connection sees.
std::string ServerCertSeen(v1::Signer::Stub& stub) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListKeysResponse resp;
  if (!stub.ListKeys(&ctx, v1::ListKeysRequest(), &resp).ok()) return "";
  auto pem = ctx.auth_context()->FindPropertyValues("x509_pem_cert");
  return pem.empty() ? "" : std::string(pem.front().data(), pem.front().size());
}

TEST_F(SignerServerTest, WatchedTlsFilesApplyRenewedCertificatesWithoutRestart) {
  server_.reset();
  const Credential first = pki_->IssueServer(audit_dir_, "srv");
  StartServer(1, &first);
  auto ci = Stub(pki_->ci);
  EXPECT_EQ(ServerCertSeen(*ci), first.cert_pem);
  // mTLS still required in this mode.
  for (const Credential* cred : std::vector<const Credential*>{nullptr, &pki_->other_ca_client}) {
    auto stub = v1::Signer::NewStub(Channel(cred));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ListKeysResponse resp;
    EXPECT_EQ(stub->ListKeys(&ctx, v1::ListKeysRequest(), &resp).error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  // Renew: new key and certificate written over the watched files.
  const Credential renewed = pki_->IssueServer(audit_dir_, "srv");
  std::string seen;
  for (int i = 0; i < 50 && seen != renewed.cert_pem; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    seen = ServerCertSeen(*Stub(pki_->ci));
  }
  EXPECT_EQ(seen, renewed.cert_pem);
  // The connection made before the renewal still works.
  v1::SignResponse resp;
  EXPECT_TRUE(Sign(*ci, DigestRequest("release", v1::ECDSA_P256_SHA256, "d"), &resp).ok());
}

// Without issuers configured the RPC is refused, and audited as such.
// (Issuance itself: issuance_server_test.cc.)
TEST_F(SignerServerTest, IssueCertificateWithoutIssuersIsRefused) {
  grpc::ClientContext ctx;
  Deadline(ctx);
  v1::IssueCertificateResponse resp;
  ExpectError(Stub(pki_->ra)->IssueCertificate(&ctx, v1::IssueCertificateRequest(), &resp),
              grpc::StatusCode::FAILED_PRECONDITION, "ISSUANCE_DISABLED");
}

TEST_F(SignerServerTest, ShutdownFinishesInFlightRequests) {
  pool_.SetSignDelay(std::chrono::milliseconds(500));
  auto ci = Stub(pki_->ci);
  grpc::Status in_flight;
  v1::SignResponse resp;
  std::thread t([&] { in_flight = Sign(*ci, DigestRequest("release", v1::ECDSA_P256_SHA256, "d"), &resp); });
  while (pool_.sign_calls() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server_->Shutdown(std::chrono::seconds(5));
  t.join();
  EXPECT_TRUE(in_flight.ok()) << in_flight.error_message();
  EXPECT_TRUE(Verify(spki_["release2"], v1::ECDSA_P256_SHA256, "d", resp.signature()));
}

}  // namespace
}  // namespace pki::signer
