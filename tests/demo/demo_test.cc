// End to end: scripts/demo.sh (what `make demo` runs) against the built
// programs, in a temporary PKI_DEMO_STATE. Checks that it succeeds, that
// its certificates, CRL and signature verify with the openssl CLI, that no
// PIN or passphrase it generated appears in its output or logs, and that no
// process it started is left running — also when a stage fails after
// appliance-sim and signerd are up (a copy of the scripts with one failing
// stage added).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/file.h"

namespace pki {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string SourceDir() {
  const char* s = std::getenv("PKI_SOURCE_DIR");
  return s != nullptr ? s : PKI_DEMO_SOURCE_DIR;
}

// Shell returns the command's stdout+stderr; |rc| gets its exit code.
std::string Shell(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    *rc = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string Slurp(const fs::path& p) {
  StatusOr<std::string> s = ReadFile(p.string());
  return s.ok() ? *s : std::string();
}

// ProcessesMentioning lists "pid: cmdline" of every live process, other than
// this one, whose command line contains |needle|.
std::vector<std::string> ProcessesMentioning(const std::string& needle) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (pid == std::to_string(::getpid())) continue;
    std::string stat = Slurp(entry.path() / "stat");
    const size_t close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') continue;
    std::string cmd = Slurp(entry.path() / "cmdline");
    for (char& c : cmd) {
      if (c == '\0') c = ' ';
    }
    if (cmd.find(needle) != std::string::npos) found.push_back(pid + ": " + cmd);
  }
  return found;
}

// Every PIN and passphrase file the demo generated.
std::vector<std::string> Secrets(const fs::path& state) {
  std::vector<std::string> out;
  for (const char* dir : {"pins", "custodians"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(state / dir, ec)) {
      const std::string ext = e.path().extension().string();
      if (ext != ".pin" && ext != ".so-pin" && ext != ".pass") continue;
      std::string s = Slurp(e.path());
      if (!s.empty()) out.push_back(s);
    }
  }
  return out;
}

// Every text the demo printed or logged.
std::string AllLogs(const fs::path& state, const std::string& output) {
  std::string all = output;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(state, ec)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".log" || ext == ".out" || ext == ".md" || ext == ".txt") all += Slurp(e.path());
  }
  return all;
}

// TranscriptFile returns the transcript (signed or unsigned) whose name
// starts with |stem|, or "".
std::string TranscriptFile(const fs::path& state, const std::string& stem) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state / "media/out/transcripts", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(stem + ".", 0) == 0 && e.path().extension() == ".transcript") return e.path().string();
  }
  return "";
}

class DemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("PKI_BIN_DIR");
    ASSERT_NE(bin, nullptr) << "PKI_BIN_DIR not set";
    build_ = fs::path(bin).parent_path().string();
    for (const char* p : {"signerctl", "signerd", "signer-client", "appliance-sim", "ceremony"}) {
      if (::access((std::string(bin) + "/" + p).c_str(), X_OK) != 0) GTEST_SKIP() << p << " not built";
    }
#if defined(__SANITIZE_ADDRESS__)
    // Sanitizer builds: the programs the demo starts get the SoftHSMv2 leak
    // rule the signer's PKCS#11 tests use (tests/signer_pkcs11/lsan.supp).
    ::setenv("LSAN_OPTIONS",
             ("suppressions=" + SourceDir() + "/tests/signer_pkcs11/lsan.supp:fast_unwind_on_malloc=0").c_str(), 0);
    // Instrumented PBKDF2 at production strength (600000 iterations, three
    // shares) can outlast the link's 120 s response timeout on a loaded
    // machine: sanitizer runs use fewer iterations (the demo says so).
    ::setenv("PKI_DEMO_SHARE_ITERATIONS", "20000", 0);
#endif
    char tmpl[] = "/tmp/demo_e2e_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (dir_.empty()) return;
    // Whatever a failed assertion left behind: stop it by its recorded pid.
    std::ifstream pids(dir_ / "state" / "pids");
    std::string name;
    pid_t pid;
    const std::vector<std::string> left = ProcessesMentioning((dir_ / "state").string());
    while (pids >> name >> pid) {
      for (const std::string& l : left) {
        if (l.rfind(std::to_string(pid) + ": ", 0) == 0) ::kill(pid, SIGKILL);
      }
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string RunDemo(const fs::path& root, int* rc) {
    return Shell("PKI_DEMO_STATE='" + (dir_ / "state").string() + "' bash '" + (root / "scripts/demo.sh").string() +
                   "' '" + build_ + "'",
               rc);
  }

  std::string build_;
  fs::path dir_;
};

TEST_F(DemoTest, WholeStorySucceedsVerifiesAndLeavesNothingRunning) {
  int rc = 0;
  const std::string out = RunDemo(SourceDir(), &rc);
  ASSERT_EQ(rc, 0) << out;
  const fs::path state = dir_ / "state";

  // One line per step, in story order.
  for (const char* line : {"(EC P-256) generated inside signer-a", "CSR signed inside the HSM",
                           "root-init done", "sign-intermediate done", "signerd listening on",
                           "openssl dgst -sha256 -verify: Verified OK",
                           "code-signing certificate for release-2026 issued by signerd (profile code-signing",
                           "it serves release with its chain: release version 1: 1 algorithms, 3 chain certificates",
                           "openssl cms -verify (root.crt as the only trust anchor): CMS Verification successful",
                           "signer-client verify-artifact: verified:",
                           "signerctl status (the status page on the same listener): 2 of 2 tokens in rotation",
                           "a one-byte change to the artifact fails verification (openssl dgst, openssl cms, verify-artifact)",
                           "PERMISSION_DENIED", "equals signerd shutdown anchor", "signerctl config check:",
                           "signerctl audit verify (anchor from signerd's shutdown line): audit log OK",
                           "tls-server certificate for www.example.com",
                           "a retry with the same request id returned the same certificate",
                           "SPIFFE workload certificate for spiffe://example.org/ns/payments/sa/api",
                           "refused (outside the RA's allowlist)",
                           "root -> issuing-2026q4 -> web.crt and workload.crt OK", "stages ran in"}) {
    EXPECT_THAT(out, HasSubstr(line));
  }
  EXPECT_THAT(out, Not(HasSubstr("FAILED")));
  // Transcripts: verified by `ceremony verify-transcript` once the appliance
  // signs them; until then the demo says they are unsigned.
  if (out.find("transcript 2-sign-intermediate.transcript") != std::string::npos) {
    EXPECT_THAT(out, HasSubstr("2-sign-intermediate.transcript: OK (signature, chain, artifacts, journal export)"));
  } else {
    EXPECT_THAT(out, HasSubstr("transcripts are UNSIGNED"));
  }

  // The artifacts, checked here again with openssl.
  const std::string out_dir = (state / "media/out").string();
  std::string v = Shell("openssl verify -x509_strict -CAfile " + out_dir + "/root.crt " + out_dir + "/issuing.crt", &rc);
  EXPECT_EQ(rc, 0) << v;
  v = Shell("openssl crl -verify -noout -CAfile " + out_dir + "/root.crt -in " + out_dir + "/root.crl", &rc);
  EXPECT_EQ(rc, 0) << v;
  const std::string p = (state / "pipeline").string();
  v = Shell("openssl dgst -sha256 -verify " + p + "/release.pub.pem -signature " + p + "/release-1.0.0.tar.gz.sig " +
              p + "/release-1.0.0.tar.gz",
          &rc);
  EXPECT_EQ(rc, 0) << v;
  // The CMS signature: openssl accepts it with the root as the only trust
  // anchor, under a code-signing certificate that certifies the tokens' key;
  // a modified artifact fails.
  const std::string cms_verify = "openssl cms -verify -binary -inform DER -in " + p +
                                 "/release-1.0.0.tar.gz.p7s -CAfile " + out_dir +
                                 "/root.crt -purpose any -out /dev/null -content ";
  v = Shell(cms_verify + p + "/release-1.0.0.tar.gz", &rc);
  EXPECT_EQ(rc, 0) << v;
  EXPECT_THAT(v, HasSubstr("CMS Verification successful"));
  const fs::path modified = dir_ / "modified.tar.gz";
  fs::copy_file(state / "pipeline/release-1.0.0.tar.gz", modified);
  {
    std::ofstream m(modified, std::ios::app | std::ios::binary);
    m << 'x';
  }
  v = Shell(cms_verify + modified.string(), &rc);
  EXPECT_NE(rc, 0) << v;
  v = Shell("openssl x509 -noout -ext extendedKeyUsage -in " + (state / "codesign/release-2026.crt").string(), &rc);
  EXPECT_THAT(v, HasSubstr("Code Signing"));
  v = Shell("openssl x509 -noout -pubkey -in " + (state / "codesign/release-2026.crt").string() + " | cmp - " + p +
                "/release.pub.pem",
            &rc);
  EXPECT_EQ(rc, 0) << "the code-signing certificate does not certify the release key: " << v;
  // The intermediate certifies the key signerd serves for issuing-2026q4.
  v = Shell("openssl x509 -noout -pubkey -in " + out_dir + "/issuing.crt | cmp - " +
              (state / "signer/issuing-2026q4.pub.pem").string(),
          &rc);
  EXPECT_EQ(rc, 0) << v;

  // The demo's chain checker fails on a tampered copy of each record it checks.
  const std::string check = "python3 " + SourceDir() + "/scripts/demo.d/tools/chain_check.py ";
  const fs::path t = dir_ / "tamper";
  fs::create_directories(t);
  fs::copy_file(state / "signer/audit/audit.log", t / "audit.log");
  v = Shell(check + "audit " + (t / "audit.log").string(), &rc);
  ASSERT_EQ(rc, 0) << v;
  v = Shell("sed -i '2s/\"seq\":2,/\"seq\":2,\"x\":1,/' " + (t / "audit.log").string() + " && " + check + "audit " +
                (t / "audit.log").string(),
            &rc);
  EXPECT_EQ(rc, 1) << v;
  EXPECT_THAT(v, HasSubstr("audit.log:3: prev is not the SHA-256 of the record before"));
  fs::copy_file(state / "archive/2-journal.bin", t / "journal.bin");
  {
    std::fstream j(t / "journal.bin", std::ios::in | std::ios::out | std::ios::binary);
    j.seekp(20 + 2 + 30);  // inside the first record's inputs digest
    j.put('\x5a');
  }
  const std::string t1 = TranscriptFile(state, "1-root-init");
  const std::string t2 = TranscriptFile(state, "2-sign-intermediate");
  ASSERT_FALSE(t1.empty());
  ASSERT_FALSE(t2.empty());
  v = Shell(check + "journal " + (t / "journal.bin").string() + " --transcript " + t2, &rc);
  EXPECT_EQ(rc, 1) << v;
  EXPECT_THAT(v, HasSubstr("does not link"));
  fs::copy(state / "media", t / "media", fs::copy_options::recursive);
  {
    std::ofstream crl(t / "media/out/root.crl", std::ios::app);
    crl << "x";
  }
  v = Shell(check + "transcript " + t2 + " --media " + (t / "media").string() + " --previous " +
                t1,
            &rc);
  EXPECT_EQ(rc, 1) << v;
  EXPECT_THAT(v, HasSubstr("artifact out/root.crl: SHA-256 differs"));

  // Secrets: 0600 files, never printed or logged.
  const std::vector<std::string> secrets = Secrets(state);
  EXPECT_EQ(secrets.size(), 7u);  // 2 PINs, 2 SO PINs, 3 passphrases
  const std::string logs = AllLogs(state, out);
  for (const std::string& s : secrets) {
    EXPECT_EQ(logs.find(s), std::string::npos) << "a generated secret appears in the demo's output or logs";
  }
  for (const char* f : {"pins/signer-a.pin", "pins/signer-b.pin", "custodians/carla.pass"}) {
    EXPECT_EQ(fs::status(state / f).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write)
        << f;
  }
  EXPECT_FALSE(fs::exists(state / "scratch/release-2026.p8")) << "the imported key file was not removed";

  // Nothing left running: no process mentions the state folder.
  EXPECT_THAT(ProcessesMentioning(state.string()), ::testing::IsEmpty());
  EXPECT_THAT(Slurp(state / "pids"), HasSubstr("signerd "));
}

// A stage that fails while appliance-sim is stopped and signerd runs: the
// demo fails naming the stage, and its EXIT trap stops signerd.
TEST_F(DemoTest, FailingStageStopsTheServicesStarted) {
  const fs::path root = dir_ / "root";
  const fs::path src = SourceDir();
  fs::create_directories(root / "ceremony");
  fs::copy(src / "scripts", root / "scripts", fs::copy_options::recursive);
  fs::copy(src / "ceremony/scripts", root / "ceremony/scripts", fs::copy_options::recursive);
  fs::copy(src / "docs", root / "docs", fs::copy_options::recursive);
  fs::copy_file(src / "README.md", root / "README.md");
  {
    std::ofstream fail(root / "scripts/demo.d/32-fail.sh");
    fail << "#!/usr/bin/env bash\n"
            "grep -q '^signerd ' \"$STATE/pids\" || { echo 'signerd not started' >&2; exit 2; }\n"
            "echo 'injected failure' >&2; exit 1\n";
  }
  int rc = 0;
  const std::string out = RunDemo(root, &rc);
  EXPECT_NE(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("injected failure"));
  EXPECT_THAT(out, HasSubstr("demo: stage 32-fail failed"));
  EXPECT_THAT(out, HasSubstr("demo: stopped signerd"));
  EXPECT_THAT(out, Not(HasSubstr("== 35-code-signing-cert")));
  EXPECT_THAT(ProcessesMentioning((dir_ / "state").string()), ::testing::IsEmpty());
}

// PKI_DEMO_STATE naming a folder that holds something else: refused, and
// nothing in it is touched.
TEST_F(DemoTest, RefusesToWipeAFolderThatIsNotADemoState) {
  fs::create_directories(dir_ / "state");
  {
    std::ofstream keep(dir_ / "state" / "precious.txt");
    keep << "not the demo's";
  }
  int rc = 0;
  const std::string out = RunDemo(SourceDir(), &rc);
  EXPECT_NE(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("refusing to wipe it"));
  EXPECT_EQ(Slurp(dir_ / "state" / "precious.txt"), "not the demo's");
  EXPECT_FALSE(fs::exists(dir_ / "state" / "pids"));
}

}  // namespace
}  // namespace pki
