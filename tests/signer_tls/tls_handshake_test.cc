// signerd's mutual TLS, the failures (issue 8): certificates and CRLs made by
// the openssl CLI (make_pki.sh), the real SignerServer on a loopback port.
// Every bad client must fail in the TLS handshake — the client sees
// UNAVAILABLE and no request reaches the service — and good clients must be
// served right after. CRLs: revoked leaf, CRL past nextUpdate (fail-closed,
// one log line naming the file), SIGHUP-style reload both ways.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "server/server.h"
#include "signer/v1/signer.grpc.pb.h"
#include "software_key_pool.h"
#include "test_pki.h"

namespace pki::signer {
namespace {

namespace v1 = ::pki::signer::v1;
using testing::MakeTempDir;
using testing::ReadText;
using testing::SoftKeyType;
using testing::SoftwareKeyPool;

// StderrCapture sends fd 2 to a file for its lifetime; Text() reads it so far.
class StderrCapture final {
 public:
  explicit StderrCapture(std::string path) : path_(std::move(path)) {
    saved_ = ::dup(2);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrCapture() {
    ::dup2(saved_, 2);
    ::close(saved_);
  }
  std::string Text() const { return ReadText(path_); }

 private:
  std::string path_;
  int saved_ = -1;
};

// Openssl runs an openssl command line (arguments are file names we made);
// returns its exit status.
int Openssl(const std::string& dir, const std::string& args) {
  const std::string cmd = "cd '" + dir + "' && openssl " + args + " >/dev/null 2>&1";
  return std::system(cmd.c_str());
}

class TlsHandshakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir("signer_tls_test"));
    const char* src = std::getenv("PKI_SOURCE_DIR");
    ASSERT_NE(src, nullptr) << "PKI_SOURCE_DIR not set (run through ctest)";
    const std::string cmd = std::string("sh '") + src + "/tests/signer_tls/make_pki.sh' '" + *dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    audit_dir_ = MakeTempDir("signer_tls_audit");
    pool_.AddKey("release", 1, KeyPurpose::kArtifactSigning, SoftKeyType::kEcP256);
    keys_.push_back(KeyConfig{"release", KeyPurpose::kArtifactSigning, 1, {}});
    for (const char* who : {"good", "revoked", "expired"}) {
      ClientPolicy c{who, IdentityKind::kUriSan, std::string("spiffe://example.org/") + who,
                     {{"release", true, true}}, 0, 0, {}, {}};
      policy_config_.clients.push_back(c);
    }
    audit_ = std::move(AuditLog::Open({audit_dir_ + "/audit.log", 1 << 20, nullptr})).value();
  }

  void TearDown() override {
    server_.reset();
    audit_.reset();
    std::filesystem::remove_all(audit_dir_);
  }

  static std::string F(const std::string& name) { return *dir_ + "/" + name; }

  ServerConfig Config(const std::string& crl, const std::string& server = "server") {
    ServerConfig sc;
    sc.listen = "127.0.0.1:0";
    sc.cert_file = F(server + ".pem");
    sc.key_file = F(server + ".key");
    sc.client_cas = {{F("ca/ca.pem"), crl.empty() ? "" : F(crl)}};
    sc.health_refresh = std::chrono::milliseconds(200);
    return sc;
  }

  void Start(const ServerConfig& sc) {
    auto policy = Policy::Create(policy_config_, keys_);
    ASSERT_TRUE(policy.ok()) << policy.status().message();
    auto server = SignerServer::Start(sc, pool_, *audit_, std::shared_ptr<const Policy>(std::move(policy).value()));
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
  }

  // Channel dials the server as |client| ("" for no client certificate),
  // trusting |roots| for the server. A fresh connection per channel.
  std::shared_ptr<grpc::Channel> Channel(const std::string& client, const std::string& roots = "ca/ca.pem") {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadText(F(roots));
    if (!client.empty()) {
      o.pem_cert_chain = ReadText(F(client + ".pem"));
      o.pem_private_key = ReadText(F(client + ".key"));
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");  // the name the server certificate must carry
    args.SetInt("grpc.use_local_subchannel_pool", 1);
    // By address: resolving "localhost" goes through c-ares, which LSan flags.
    return grpc::CreateCustomChannel(server_->address(), grpc::SslCredentials(o), args);
  }

  static grpc::Status ListKeys(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::Signer::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ListKeysResponse resp;
    return stub->ListKeys(&ctx, v1::ListKeysRequest(), &resp);
  }
  grpc::Status ListKeysAs(const std::string& client) { return ListKeys(Channel(client)); }

  // Requests the service has seen (each is audited, handshake failures are not).
  uint64_t AuditedRequests() const { return audit_->LastSeq(); }

  // ExpectHandshakeFailure: |client| gets UNAVAILABLE, no request reaches
  // the service, and a good client is served right after.
  void ExpectHandshakeFailure(const std::string& client, const std::string& why) {
    SCOPED_TRACE(why);
    const uint64_t before = AuditedRequests();
    grpc::Status s = ListKeysAs(client);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    // The channel never connected (not an RPC answered with UNAVAILABLE).
    EXPECT_NE(s.error_message().find("failed to connect"), std::string::npos) << s.error_message();
    EXPECT_EQ(AuditedRequests(), before) << "the request reached the service";
    grpc::Status ok = ListKeysAs("good");
    EXPECT_TRUE(ok.ok()) << "signerd stopped serving good clients: " << ok.error_message();
    EXPECT_EQ(AuditedRequests(), before + 1);
  }

  static std::string* dir_;
  SoftwareKeyPool pool_;
  std::vector<KeyConfig> keys_;
  PolicyConfig policy_config_;
  std::string audit_dir_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<SignerServer> server_;
};

std::string* TlsHandshakeTest::dir_ = nullptr;

TEST_F(TlsHandshakeTest, FixturesAreWhatOpensslSaysTheyAre) {
  // Independent check of the material the other tests rely on.
  EXPECT_EQ(Openssl(*dir_, "verify -CAfile ca/ca.pem -crl_check -CRLfile crl.pem good.pem"), 0);
  EXPECT_NE(Openssl(*dir_, "verify -CAfile ca/ca.pem -crl_check -CRLfile crl.pem revoked.pem"), 0);
  EXPECT_NE(Openssl(*dir_, "verify -CAfile ca/ca.pem expired.pem"), 0);
  // ...because its notAfter has passed (good's has not).
  EXPECT_NE(Openssl(*dir_, "x509 -in expired.pem -noout -checkend 0"), 0);
  EXPECT_EQ(Openssl(*dir_, "x509 -in good.pem -noout -checkend 0"), 0);
  EXPECT_NE(Openssl(*dir_, "verify -CAfile ca/ca.pem intruder.pem"), 0);
  EXPECT_NE(Openssl(*dir_, "verify -CAfile ca/ca.pem -crl_check -CRLfile stale_crl.pem good.pem"), 0);
  EXPECT_NE(Openssl(*dir_, "verify -CAfile ca/ca.pem -crl_check -CRLfile crl2.pem good.pem"), 0);
  EXPECT_EQ(Openssl(*dir_, "verify -CAfile ca/ca.pem -verify_hostname localhost server.pem"), 0);
  EXPECT_NE(Openssl(*dir_, "verify -CAfile ca/ca.pem -verify_hostname localhost wrong.pem"), 0);
}

TEST_F(TlsHandshakeTest, BadClientsFailTheHandshakeAndGoodOnesAreStillServed) {
  ASSERT_NO_FATAL_FAILURE(Start(Config("crl.pem")));
  StderrCapture log(audit_dir_ + "/stderr");
  ASSERT_TRUE(ListKeysAs("good").ok());
  ExpectHandshakeFailure("", "no client certificate");
  ExpectHandshakeFailure("intruder", "client certificate from another CA with the same name");
  ExpectHandshakeFailure("expired", "expired client certificate");
  ExpectHandshakeFailure("revoked", "client certificate revoked by the CRL");
  // The CRL refusal is the verifier's, and it says so.
  EXPECT_NE(log.Text().find("signerd: tls: refused client /O=Example/CN=revoked: client certificate revoked"),
            std::string::npos)
      << log.Text();
}

TEST_F(TlsHandshakeTest, StaleCrlRefusesItsCasClientsUntilAFreshOneIsLoaded) {
  StderrCapture log(audit_dir_ + "/stderr");
  ASSERT_NO_FATAL_FAILURE(Start(Config("stale_crl.pem")));
  // Fail-closed: even a client the stale CRL does not list is refused.
  for (const char* who : {"good", "revoked"}) {
    const uint64_t before = AuditedRequests();
    grpc::Status s = ListKeysAs(who);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << who << ": " << s.error_message();
    EXPECT_EQ(AuditedRequests(), before);
  }
  const std::string text = log.Text();
  EXPECT_NE(text.find("client CRL " + F("stale_crl.pem")), std::string::npos) << text;
  EXPECT_NE(text.find("past its nextUpdate"), std::string::npos) << text;
  // Rate-limited: one line naming the file for both refusals.
  size_t lines = 0;
  for (size_t at = text.find("client CRL " + F("stale_crl.pem")); at != std::string::npos;
       at = text.find("client CRL " + F("stale_crl.pem"), at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << text;

  // SIGHUP with a fresh CRL: good is served again, revoked still refused.
  ASSERT_TRUE(server_->ReloadCrls(Config("crl.pem")).ok());
  EXPECT_TRUE(ListKeysAs("good").ok());
  EXPECT_EQ(ListKeysAs("revoked").error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsHandshakeTest, ReloadedCrlAppliesToNewHandshakesAndOpenConnections) {
  ASSERT_NO_FATAL_FAILURE(Start(Config("")));
  // No CRL configured: the revoked certificate is just a certificate.
  EXPECT_TRUE(ListKeysAs("revoked").ok());
  auto open = Channel("good");
  ASSERT_TRUE(ListKeys(open).ok());

  ASSERT_TRUE(server_->ReloadCrls(Config("crl2.pem")).ok());  // revokes good and revoked
  // New connections fail in the handshake...
  EXPECT_EQ(ListKeysAs("revoked").error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListKeysAs("good").error_code(), grpc::StatusCode::UNAVAILABLE);
  // ...and the connection opened before the reload is refused per request.
  grpc::Status s = ListKeys(open);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();

  // A CRL that does not parse is refused and the current one kept.
  testing::WriteText(audit_dir_ + "/junk.pem", "not a CRL\n");
  ServerConfig bad = Config("");
  bad.client_cas[0].crl_file = audit_dir_ + "/junk.pem";
  EXPECT_FALSE(server_->ReloadCrls(bad).ok());
  EXPECT_EQ(ListKeysAs("good").error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsHandshakeTest, ClientRefusesAServerCertificateThatDoesNotMatch) {
  // A server certificate for another name.
  ASSERT_NO_FATAL_FAILURE(Start(Config("crl.pem", "wrong")));
  const uint64_t before = AuditedRequests();
  grpc::Status s = ListKeysAs("good");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_NE(s.error_message().find("Peer name localhost is not in peer certificate"), std::string::npos) << s.error_message();
  EXPECT_EQ(AuditedRequests(), before);
  server_.reset();
  // A server certificate for the right name from a CA the client does not trust.
  ASSERT_NO_FATAL_FAILURE(Start(Config("crl.pem", "rogue")));
  s = ListKeysAs("good");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_NE(s.error_message().find("failed to connect"), std::string::npos) << s.error_message();
  EXPECT_EQ(AuditedRequests(), before);
  // The same client trusting that CA gets through: it was the certificate.
  EXPECT_TRUE(ListKeys(Channel("good", "other/ca.pem")).ok());
  server_.reset();
  ASSERT_NO_FATAL_FAILURE(Start(Config("crl.pem")));
  EXPECT_TRUE(ListKeysAs("good").ok());
}

TEST_F(TlsHandshakeTest, AFreshCrlBesideAStaleOneDecidesAndAForeignCrlIsRefused) {
  // One file holding the stale CRL and a fresh one of the same CA.
  testing::WriteText(audit_dir_ + "/both.pem", ReadText(F("stale_crl.pem")) + ReadText(F("crl.pem")));
  ServerConfig sc = Config("");
  sc.client_cas[0].crl_file = audit_dir_ + "/both.pem";
  ASSERT_NO_FATAL_FAILURE(Start(sc));
  EXPECT_TRUE(ListKeysAs("good").ok());
  EXPECT_EQ(ListKeysAs("revoked").error_code(), grpc::StatusCode::UNAVAILABLE);

  // A CRL signed by another CA than its bundle's: refused at start and on reload.
  ServerConfig foreign = Config("crl.pem");
  foreign.client_cas[0].ca_file = F("other/ca.pem");
  EXPECT_FALSE(server_->ReloadCrls(foreign).ok());
  EXPECT_TRUE(ListKeysAs("good").ok());  // the loaded CRLs stay
  server_.reset();
  auto policy = Policy::Create(policy_config_, keys_);
  ASSERT_TRUE(policy.ok());
  auto refused = SignerServer::Start(foreign, pool_, *audit_, std::shared_ptr<const Policy>(std::move(policy).value()));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(std::string(refused.status().message()).find("CRL not signed by a CA of its bundle"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace pki::signer
