#include "signerd_fixture.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace pki::testing {
namespace {

constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";

// ReadIfExists reads |path|, or "" if it isn't there (yet).
std::string ReadIfExists(const std::string& path) {
  return std::filesystem::exists(path) ? ReadText(path) : std::string();
}

}  // namespace

int Shell(const std::string& cmd, std::string* out) {
  std::string text;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) text.append(buf, n);
  const int status = ::pclose(p);
  if (out != nullptr) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

SignerdFixture::SignerdFixture() {
  const char* bin = std::getenv("PKI_BIN_DIR");
  if (bin == nullptr) {
    error_ = "PKI_BIN_DIR not set";
    return;
  }
  bin_ = bin;
  if (::access((bin_ + "/signerd").c_str(), X_OK) != 0 || ::access((bin_ + "/signerctl").c_str(), X_OK) != 0) {
    error_ = "signerd/signerctl not built";
    return;
  }
  dir_ = MakeTempDir("signerd_reliability");
  pki_ = std::make_unique<TestPki>(dir_);
  std::filesystem::create_directories(dir_ + "/tokens");
  ::mkdir((dir_ + "/state").c_str(), 0700);
  WriteText(dir_ + "/softhsm2.conf",
            "directories.tokendir = " + dir_ + "/tokens\nobjectstore.backend = file\nlog.level = ERROR\n");
  ::setenv("SOFTHSM2_CONF", (dir_ + "/softhsm2.conf").c_str(), 1);
  std::string out;
  if (Shell(std::string("softhsm2-util --init-token --free --label rel-a --so-pin 5678 --pin ") + kTestTokenPin,
            &out) != 0) {
    error_ = "softhsm2-util: " + out;
    return;
  }
  if (Shell(std::string("pkcs11-tool --module ") + kModule + " --token-label rel-a --login --pin " + kTestTokenPin +
                " --keypairgen --key-type EC:prime256v1 --label release --id 01",
            &out) != 0) {
    error_ = "pkcs11-tool: " + out;
    return;
  }
  WriteText(dir_ + "/pin-a", std::string(kTestTokenPin) + "\n", 0600);
  config_ = dir_ + "/signerd.yaml";
  WriteText(config_, R"(server:
  listen: "127.0.0.1:0"
  tls:
    cert_file: server.pem
    key_file: server.key
    client_cas:
      - ca_file: ca.pem
        crl_file: crl.pem
hsm:
  modules: [)" + std::string(kModule) + R"(]
  tokens:
    - uri: "pkcs11:token=rel-a"
      pin_file: pin-a
  sessions_per_token: 4
keys:
  - name: release
    purpose: artifact-signing
    versions:
      - version: 1
        uris: ["pkcs11:token=rel-a;object=release;type=private"]
policy:
  clients:
    - name: ci
      uri_san: "spiffe://example.org/ci"
      keys: [{key: release, rights: [sign, get-public-key]}]
audit:
  path: state/audit.log
)");
}

SignerdFixture::~SignerdFixture() {
  if (pid_ > 0) Kill9();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

std::string SignerdFixture::Start() {
  const std::string out_file = dir_ + "/signerd.out";
  out_seen_ = std::filesystem::exists(out_file) ? std::filesystem::file_size(out_file) : 0;
  std::fflush(stdout);  // or the child would write our buffered output again
  std::fflush(stderr);
  pid_ = ::fork();
  if (pid_ < 0) {
    error_ = "fork failed";
    return "";
  }
  if (pid_ == 0) {
    if (std::freopen(out_file.c_str(), "a", stdout) == nullptr) ::_exit(126);
    if (std::freopen((dir_ + "/signerd.err").c_str(), "a", stderr) == nullptr) ::_exit(126);
    if (const char* uid = std::getenv("PKI_TEST_RUN_AS_UID")) {
      const auto id = static_cast<uid_t>(std::strtoul(uid, nullptr, 10));
      if (::setgid(id) != 0 || ::setuid(id) != 0) ::_exit(126);
    }
    const std::string exe = bin_ + "/signerd";
    ::execl(exe.c_str(), exe.c_str(), "--config", config_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    const std::string out = ReadIfExists(out_file);
    const size_t at = out.find("signerd: listening on ", out_seen_);
    const size_t nl = at == std::string::npos ? at : out.find('\n', at);
    if (nl != std::string::npos) return out.substr(at + 22, nl - at - 22);
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "signerd exited: " + ReadIfExists(dir_ + "/signerd.err");
      return "";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "signerd did not start";
  return "";
}

void SignerdFixture::Kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int SignerdFixture::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int SignerdFixture::AuditVerify(const std::string& extra, std::string* out) const {
  return Shell(bin_ + "/signerctl audit verify --log " + audit_path() + " " + extra, out);
}

}  // namespace pki::testing
