// End to end: a SoftHSMv2 token in a temp folder with a key made by
// pkcs11-tool, a real signerd process started from a generated config,
// signer-client over mutual TLS, `openssl dgst -verify` on the result, and
// the audit log's chain checked after signerd stops.
//
// The test token's PINs go through softhsm2-util/pkcs11-tool argv (those
// tools take no other way in scripts); they exist only for this throwaway
// token. signerd reads its PIN from a 0600 file, as in production.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_verify.h"
#include "test_pki.h"

namespace pki::signer {
namespace {

using ::testing::HasSubstr;

constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";

int Shell(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// HttpGet fetches |path| from 127.0.0.1:|port| (the metrics responder).
std::string HttpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return "";
  }
  const std::string req = "GET " + path + " HTTP/1.0\r\n\r\n";
  if (::send(fd, req.data(), req.size(), 0) < 0) return "";
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

class SignerdE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = std::getenv("PKI_BIN_DIR") ? std::getenv("PKI_BIN_DIR") : "";
    ASSERT_FALSE(bin_.empty()) << "PKI_BIN_DIR not set";
    if (::access((bin_ + "/signerd").c_str(), X_OK) != 0) GTEST_SKIP() << "signerd not built";
    dir_ = testing::MakeTempDir("signerd_e2e");
    pki_ = std::make_unique<testing::TestPki>(dir_);
    std::filesystem::create_directories(dir_ + "/tokens");
    testing::WriteText(dir_ + "/softhsm2.conf",
                       "directories.tokendir = " + dir_ + "/tokens\nobjectstore.backend = file\nlog.level = ERROR\n");
    ::setenv("SOFTHSM2_CONF", (dir_ + "/softhsm2.conf").c_str(), 1);
    ASSERT_EQ(Shell("softhsm2-util --init-token --free --label signer-a --so-pin 5678 --pin 1234 >/dev/null"), 0);
    ASSERT_EQ(Shell(std::string("pkcs11-tool --module ") + kModule +
                  " --token-label signer-a --login --pin 1234 --keypairgen --key-type EC:prime256v1"
                  " --label release --id 01 >/dev/null 2>&1"),
              0);
    testing::WriteText(dir_ + "/pin-a", "1234\n", 0600);
    config_ = dir_ + "/signerd.yaml";
    testing::WriteText(config_, R"(server:
  listen: "127.0.0.1:0"
  metrics_listen: "127.0.0.1:0"
  tls:
    cert_file: server.pem
    key_file: server.key
    client_cas:
      - ca_file: ca.pem
        crl_file: crl.pem
hsm:
  modules: [)" + std::string(kModule) + R"(]
  tokens:
    - uri: "pkcs11:token=signer-a"
      pin_file: pin-a
  sessions_per_token: 2
keys:
  - name: release
    purpose: artifact-signing
    versions:
      - version: 1
        uris: ["pkcs11:token=signer-a;object=release;type=private"]
policy:
  clients:
    - name: ci
      uri_san: "spiffe://example.org/ci"
      keys: [{key: release, rights: [sign, get-public-key]}]
audit:
  path: audit.log
)");
  }

  void TearDown() override {
    StopSignerd();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // StartSignerd runs signerd and waits for its "listening on" line.
  std::string StartSignerd() {
    pid_ = ::fork();
    PKI_CHECK(pid_ >= 0);
    if (pid_ == 0) {
      const std::string out = dir_ + "/signerd.out";
      PKI_CHECK(std::freopen(out.c_str(), "w", stdout) != nullptr);
      PKI_CHECK(std::freopen((dir_ + "/signerd.err").c_str(), "w", stderr) != nullptr);
      const std::string exe = bin_ + "/signerd";
      ::execl(exe.c_str(), exe.c_str(), "--config", config_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      if (std::filesystem::exists(dir_ + "/signerd.out")) {
        const std::string out = testing::ReadText(dir_ + "/signerd.out");
        const size_t at = out.find("signerd: listening on ");
        const size_t nl = out.find('\n', at);
        if (at != std::string::npos && nl != std::string::npos) return out.substr(at + 22, nl - at - 22);
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        ADD_FAILURE() << "signerd exited: " << testing::ReadText(dir_ + "/signerd.err");
        return "";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "signerd did not start";
    return "";
  }

  int StopSignerd() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string Client(const testing::Credential& cred, const std::string& addr) {
    return bin_ + "/signer-client --server " + addr + " --server-name localhost --ca " + pki_->ca_file +
           " --cert " + cred.cert_file + " --key " + cred.key_file + " ";
  }

  std::string bin_;
  std::string dir_;
  std::string config_;
  std::unique_ptr<testing::TestPki> pki_;
  pid_t pid_ = -1;
};

TEST_F(SignerdE2eTest, SoftHsmKeySignsAFileThatOpenSslVerifies) {
  const std::string addr = StartSignerd();
  ASSERT_FALSE(addr.empty());
  testing::WriteText(dir_ + "/artifact.bin", std::string(100000, 'A') + "release 1.2.3");
  const std::string client = Client(pki_->ci, addr);
  ASSERT_EQ(Shell(client + "sign --key release --alg ecdsa-p256-sha256 --in " + dir_ + "/artifact.bin --out " +
                dir_ + "/artifact.sig --request-id e2e-1 > " + dir_ + "/client.out 2>&1"),
            0)
      << testing::ReadText(dir_ + "/client.out");
  EXPECT_THAT(testing::ReadText(dir_ + "/client.out"), HasSubstr("audit id 1:1"));
  ASSERT_EQ(Shell(client + "public-key --key release --out " + dir_ + "/pub.pem > /dev/null 2>&1"), 0);
  // pkcs11-tool, a second tool on the same token, sees the same public key.
  ASSERT_EQ(Shell(std::string("pkcs11-tool --module ") + kModule + " --token-label signer-a --read-object --type pubkey --id 01 -o " +
                dir_ + "/pub.der >/dev/null 2>&1"), 0);
  ASSERT_EQ(Shell("openssl pkey -pubin -inform DER -in " + dir_ + "/pub.der -out " + dir_ + "/pub-tool.pem"), 0);
  EXPECT_EQ(testing::ReadText(dir_ + "/pub.pem"), testing::ReadText(dir_ + "/pub-tool.pem"));
  // The independent check.
  EXPECT_EQ(Shell("openssl dgst -sha256 -verify " + dir_ + "/pub.pem -signature " + dir_ + "/artifact.sig " + dir_ +
                "/artifact.bin > " + dir_ + "/verify.out 2>&1"),
            0)
      << testing::ReadText(dir_ + "/verify.out");
  EXPECT_THAT(testing::ReadText(dir_ + "/verify.out"), HasSubstr("Verified OK"));
  testing::WriteText(dir_ + "/tampered.bin", std::string(100000, 'A') + "release 1.2.4");
  EXPECT_NE(Shell("openssl dgst -sha256 -verify " + dir_ + "/pub.pem -signature " + dir_ + "/artifact.sig " + dir_ +
                "/tampered.bin > /dev/null 2>&1"),
            0);
  // A client from another CA can't even connect; an unknown key is NOT_FOUND.
  EXPECT_EQ(Shell(Client(pki_->other_ca_client, addr) + "list-keys > /dev/null 2>&1"), 3);
  EXPECT_EQ(Shell(client + "sign --key nope --alg ecdsa-p256-sha256 --in " + dir_ + "/artifact.bin --out " + dir_ +
                "/x.sig > " + dir_ + "/nf.out 2>&1"),
            3);
  EXPECT_THAT(testing::ReadText(dir_ + "/nf.out"), HasSubstr("NOT_FOUND: key not found [KEY_NOT_FOUND]"));

  // Metrics on the loopback port.
  const std::string out = testing::ReadText(dir_ + "/signerd.out");
  const size_t m = out.find("signerd: metrics on 127.0.0.1:");
  ASSERT_NE(m, std::string::npos);
  const int metrics_port = std::stoi(out.substr(m + 30));
  const std::string metrics = HttpGet(metrics_port, "/metrics");
  EXPECT_THAT(metrics, HasSubstr("signer_requests_total{method=\"Sign\",code=\"OK\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("signer_requests_total{method=\"Sign\",code=\"NOT_FOUND\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("signer_key_up{key=\"release\",version=\"1\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("signer_audit_last_seq 3"));

  EXPECT_EQ(StopSignerd(), 0);
  EXPECT_THAT(testing::ReadText(dir_ + "/signerd.out"), HasSubstr("signerd: stopped; audit head seq 3 "));
  auto report = VerifyAuditLog(ListAuditFiles(dir_ + "/audit.log"));
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, 3u);  // sign, public-key, refused sign (the other CA never got in)
  const std::string log = testing::ReadText(dir_ + "/audit.log");
  EXPECT_THAT(log, HasSubstr("\"request_id\":\"e2e-1\",\"key\":\"release\",\"key_version\":1"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("1234")));  // no PIN anywhere in the journal
}

TEST_F(SignerdE2eTest, SighupReloadsPolicyAndRefusesABadConfig) {
  const std::string addr = StartSignerd();
  ASSERT_FALSE(addr.empty());
  testing::WriteText(dir_ + "/a.bin", "payload");
  const std::string sign = "sign --key release --alg ecdsa-p256-sha256 --in " + dir_ + "/a.bin --out " + dir_ + "/a.sig";
  const std::string builder = Client(pki_->builder, addr) + sign;
  EXPECT_EQ(Shell(builder + " > /dev/null 2>&1"), 3);  // not in the policy yet
  auto wait_for = [&](const std::string& file, const std::string& text) {
    for (int i = 0; i < 100; ++i) {
      if (testing::ReadText(dir_ + "/" + file).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  // A config that fails validation is refused; the old policy keeps serving.
  const std::string good = testing::ReadText(config_);
  testing::WriteText(config_, good + "bogus: 1\n");
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  EXPECT_TRUE(wait_for("signerd.err", "reload refused: bogus: unknown field"))
      << testing::ReadText(dir_ + "/signerd.err") << testing::ReadText(dir_ + "/signerd.out");
  EXPECT_EQ(Shell(Client(pki_->ci, addr) + sign + " > /dev/null 2>&1"), 0);
  // A good config with a new client takes effect without a restart.
  std::string grown = good;
  grown.replace(grown.find("audit:"), 6,
                "    - name: builder\n      dns_san: builder.example.org\n"
                "      keys: [{key: release, rights: [sign]}]\naudit:");
  testing::WriteText(config_, grown);
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  EXPECT_TRUE(wait_for("signerd.out", "signerd: reloaded policy (2 clients)"));
  EXPECT_EQ(Shell(builder + " > " + dir_ + "/b.out 2>&1"), 0) << testing::ReadText(dir_ + "/b.out");
  EXPECT_EQ(StopSignerd(), 0);
  EXPECT_TRUE(VerifyAuditLog(ListAuditFiles(dir_ + "/audit.log")).ok());
}


// Issue 7 end to end: an issuing key and a code-signing key in the token,
// their certificates made by a test root (openssl, from the token's public
// keys); signerd issues a certificate through signer-client that
// `openssl verify -x509_strict` accepts, and sign-artifact makes a detached
// CMS that `openssl cms -verify` accepts (and refuses for a modified file).
TEST_F(SignerdE2eTest, IssuesCertificatesAndSignsArtifactsAsCms) {
  const std::string d = dir_ + "/";
  const std::string tool = std::string("pkcs11-tool --module ") + kModule + " --token-label signer-a ";
  for (const auto& [label, id] : {std::pair{"issuing", "02"}, std::pair{"codesign", "03"}}) {
    ASSERT_EQ(Shell(tool + "--login --pin 1234 --keypairgen --key-type EC:prime256v1 --label " + label + " --id " +
                    id + " >/dev/null 2>&1"), 0);
    ASSERT_EQ(Shell(tool + "--read-object --type pubkey --id " + id + " -o " + d + label + "-pub.der >/dev/null 2>&1"), 0);
    ASSERT_EQ(Shell("openssl pkey -pubin -inform DER -in " + d + label + "-pub.der -out " + d + label + "-pub.pem"), 0);
  }
  testing::WriteText(d + "root.cnf",
                     "[req]\ndistinguished_name=dn\nx509_extensions=v3\nprompt=no\n[dn]\nCN=E2E Root\n"
                     "[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                     "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n");
  ASSERT_EQ(Shell("openssl req -x509 -config " + d + "root.cnf -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                  d + "root.key -out " + d + "root.pem -days 30 2>/dev/null"), 0);
  testing::WriteText(d + "ca.ext", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
                                   "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n");
  testing::WriteText(d + "cs.ext", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                                   "extendedKeyUsage=codeSigning\nsubjectKeyIdentifier=hash\n"
                                   "authorityKeyIdentifier=keyid:always\n");
  for (const auto& [label, subj, ext] : {std::tuple{"issuing", "/CN=E2E Issuing CA", "ca.ext"},
                                         std::tuple{"codesign", "/CN=E2E Code Signing", "cs.ext"}}) {
    ASSERT_EQ(Shell(std::string("openssl x509 -new -subj '") + subj + "' -force_pubkey " + d + label + "-pub.pem -CA " +
                    d + "root.pem -CAkey " + d + "root.key -days 30 -extfile " + d + ext + " -out " + d + label +
                    ".pem 2>/dev/null"), 0);
    testing::WriteText(d + label + "-chain.pem",
                       testing::ReadText(d + label + ".pem") + testing::ReadText(d + "root.pem"));
  }
  std::string cfg = testing::ReadText(config_);
  cfg.replace(cfg.find("policy:"), 7, R"(  - name: issuing
    purpose: certificate-issuance
    versions:
      - version: 1
        uris: ["pkcs11:token=signer-a;object=issuing;type=private"]
        chain_file: issuing-chain.pem
  - name: codesign
    purpose: artifact-signing
    versions:
      - version: 1
        uris: ["pkcs11:token=signer-a;object=codesign;type=private"]
        chain_file: codesign-chain.pem
issuers:
  - key: issuing
    signature_algorithm: ecdsa-p256-sha256
    crl_urls: ["http://crl.example.com/issuing.crl"]
policy:)");
  const std::string ci_keys = "      keys: [{key: release, rights: [sign, get-public-key]}]";
  cfg.replace(cfg.find(ci_keys), ci_keys.size(),
              "      keys: [{key: release, rights: [sign, get-public-key]},\n"
              "             {key: codesign, rights: [sign, get-public-key]}]\n"
              "      issue: [tls-server]\n"
              "      allowlist: {dns_suffixes: [example.com]}");
  testing::WriteText(config_, cfg);
  const std::string addr = StartSignerd();
  ASSERT_FALSE(addr.empty()) << testing::ReadText(d + "signerd.err");
  const std::string client = Client(pki_->ci, addr);

  // IssueCertificate through signer-client, checked by openssl.
  ASSERT_EQ(Shell("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d +
                  "leaf.key -subj /CN=www.example.com -addext subjectAltName=DNS:www.example.com -out " + d +
                  "leaf.csr 2>/dev/null"), 0);
  ASSERT_EQ(Shell(client + "issue --profile tls-server --csr " + d + "leaf.csr --request-id e2e-issue-1 --ref order-1 --out " +
                  d + "leaf.pem --chain-out " + d + "leaf-chain.pem > " + d + "issue.out 2>&1"), 0)
      << testing::ReadText(d + "issue.out");
  EXPECT_EQ(testing::ReadText(d + "leaf-chain.pem"), testing::ReadText(d + "issuing.pem"));  // no root on the wire
  EXPECT_EQ(Shell("openssl verify -x509_strict -CAfile " + d + "root.pem -untrusted " + d + "leaf-chain.pem " + d +
                  "leaf.pem > " + d + "verify.out 2>&1"), 0)
      << testing::ReadText(d + "verify.out");
  // A profile the client may not use is refused.
  EXPECT_EQ(Shell(client + "issue --profile code-signing --csr " + d + "leaf.csr --request-id e2e-issue-2 --out " + d +
                  "x.pem > " + d + "denied.out 2>&1"), 3);
  EXPECT_THAT(testing::ReadText(d + "denied.out"), HasSubstr("PERMISSION_DENIED"));

  // sign-artifact: client-side CMS over the Sign RPC.
  testing::WriteText(d + "artifact.bin", std::string(200000, 'B') + "firmware 2.0");
  ASSERT_EQ(Shell(client + "sign-artifact --key codesign --in " + d + "artifact.bin --out " + d + "artifact.p7s > " + d +
                  "cms.out 2>&1"), 0)
      << testing::ReadText(d + "cms.out");
  const std::string cms_verify = "openssl cms -verify -binary -inform DER -in " + d + "artifact.p7s -CAfile " + d +
                                 "root.pem -purpose any -out /dev/null -content ";
  EXPECT_EQ(Shell(cms_verify + d + "artifact.bin > " + d + "cmsv.out 2>&1"), 0) << testing::ReadText(d + "cmsv.out");
  testing::WriteText(d + "modified.bin", std::string(200000, 'B') + "firmware 2.1");
  EXPECT_NE(Shell(cms_verify + d + "modified.bin > /dev/null 2>&1"), 0);
  const std::string local_verify = bin_ + "/signer-client verify-artifact --sig " + d + "artifact.p7s --ca " + d +
                                   "root.pem --in ";
  EXPECT_EQ(Shell(local_verify + d + "artifact.bin > /dev/null 2>&1"), 0);
  EXPECT_EQ(Shell(local_verify + d + "modified.bin > /dev/null 2>&1"), 3);

  // SIGHUP rebuilds the engine from the (unchanged) config; issuing goes on.
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  bool reloaded = false;
  for (int i = 0; i < 100 && !reloaded; ++i) {
    reloaded = testing::ReadText(d + "signerd.out").find("reloaded policy (1 clients), 4 profiles") != std::string::npos;
    if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(reloaded) << testing::ReadText(d + "signerd.out") << testing::ReadText(d + "signerd.err");
  EXPECT_EQ(Shell(client + "issue --profile tls-server --csr " + d + "leaf.csr --request-id e2e-issue-3 --out " + d +
                  "leaf3.pem > " + d + "issue3.out 2>&1"), 0)
      << testing::ReadText(d + "issue3.out");
  EXPECT_EQ(Shell("openssl verify -x509_strict -CAfile " + d + "root.pem -untrusted " + d + "leaf-chain.pem " + d +
                  "leaf3.pem > /dev/null 2>&1"), 0);

  // Idempotency survives the reload and a restart (even a kill -9: the
  // outcome record with the certificate was durable before it was released):
  // the same request id and CSR get the byte-identical certificate back,
  // another CSR is ALREADY_EXISTS.
  ASSERT_EQ(Shell("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d +
                  "other.key -subj /CN=www.example.com -addext subjectAltName=DNS:www.example.com -out " + d +
                  "other.csr 2>/dev/null"), 0);
  auto retry = [&](const std::string& via, const std::string& id, const std::string& csr, const std::string& out) {
    return Shell(via + "issue --profile tls-server --csr " + d + csr + " --request-id " + id + " --out " + d + out +
                 " > " + d + "retry.out 2>&1");
  };
  ASSERT_EQ(retry(client, "e2e-issue-1", "leaf.csr", "leaf1-reload.pem"), 0) << testing::ReadText(d + "retry.out");
  EXPECT_EQ(testing::ReadText(d + "leaf1-reload.pem"), testing::ReadText(d + "leaf.pem"));
  EXPECT_NE(retry(client, "e2e-issue-1", "other.csr", "x.pem"), 0);
  EXPECT_THAT(testing::ReadText(d + "retry.out"), HasSubstr("ALREADY_EXISTS"));
  ASSERT_EQ(::kill(pid_, SIGKILL), 0);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  std::filesystem::remove(d + "signerd.out");  // else its old "listening on" line is read
  const std::string addr2 = StartSignerd();
  ASSERT_FALSE(addr2.empty()) << testing::ReadText(d + "signerd.err");
  const std::string client2 = Client(pki_->ci, addr2);
  ASSERT_EQ(retry(client2, "e2e-issue-1", "leaf.csr", "leaf1-restart.pem"), 0) << testing::ReadText(d + "retry.out");
  EXPECT_EQ(testing::ReadText(d + "leaf1-restart.pem"), testing::ReadText(d + "leaf.pem"));
  ASSERT_EQ(retry(client2, "e2e-issue-3", "leaf.csr", "leaf3-restart.pem"), 0) << testing::ReadText(d + "retry.out");
  EXPECT_EQ(testing::ReadText(d + "leaf3-restart.pem"), testing::ReadText(d + "leaf3.pem"));
  EXPECT_NE(retry(client2, "e2e-issue-3", "other.csr", "x.pem"), 0);
  EXPECT_THAT(testing::ReadText(d + "retry.out"), HasSubstr("ALREADY_EXISTS"));
  ASSERT_EQ(retry(client2, "e2e-issue-4", "other.csr", "leaf4.pem"), 0) << testing::ReadText(d + "retry.out");
  EXPECT_NE(testing::ReadText(d + "leaf4.pem"), testing::ReadText(d + "leaf.pem"));

  EXPECT_EQ(StopSignerd(), 0);
  EXPECT_TRUE(VerifyAuditLog(ListAuditFiles(dir_ + "/audit.log")).ok());
  EXPECT_EQ(Shell(bin_ + "/signerctl audit verify --log " + d + "audit.log > /dev/null 2>&1"), 0);

  // signerctl lists what was issued: three certificates, each findable by
  // its serial (as openssl prints it) with its PEM.
  ASSERT_EQ(Shell(bin_ + "/signerctl audit issued --log " + d + "audit.log > " + d + "issued.out 2> " + d +
                  "issued.err"), 0) << testing::ReadText(d + "issued.err");
  EXPECT_THAT(testing::ReadText(d + "issued.err"), HasSubstr("3 of 3 issued certificates shown"));
  ASSERT_EQ(Shell("openssl x509 -in " + d + "leaf.pem -noout -serial | cut -d= -f2 > " + d + "serial.txt"), 0);
  std::string serial = testing::ReadText(d + "serial.txt");
  serial.erase(serial.find_last_not_of("\n") + 1);
  ASSERT_EQ(Shell(bin_ + "/signerctl audit issued --pem --log " + d + "audit.log --serial " + serial + " > " + d +
                  "one.out 2>&1"), 0);
  const std::string one = testing::ReadText(d + "one.out");
  EXPECT_THAT(one, HasSubstr("1 of 3 issued certificates shown"));
  EXPECT_THAT(one, HasSubstr("request_id=e2e-issue-1 profile=tls-server key=issuing names=dns:www.example.com"));
  EXPECT_THAT(one, HasSubstr(testing::ReadText(d + "leaf.pem")));

  const std::string log = testing::ReadText(dir_ + "/audit.log");
  EXPECT_THAT(log, HasSubstr("IssueCertificate.intent"));
  EXPECT_THAT(log, HasSubstr("IssueCertificate.outcome"));
  EXPECT_THAT(log, HasSubstr("dns:www.example.com"));
}

}  // namespace
}  // namespace pki::signer
