// Secrets at rest and in the process: a running signerd is non-dumpable with
// a core size limit of 0, its PIN is in neither its argv nor its environment,
// nor in its stdout/stderr or the audit log, and the audit log is 0600.
// appliance-sim (the root appliance on host ports) is hardened the same way
// and keeps its state in a 0700 folder of 0600 files.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client_channel.h"
#include "signer/v1/signer.grpc.pb.h"
#include "signerd_harness.h"

namespace pki::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Reads a /proc file whole (NUL bytes kept).
std::string ReadProc(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// CoreLimitIsZero: /proc/PID/limits says "Max core file size 0 0".
bool CoreLimitIsZero(pid_t pid) {
  std::istringstream in(ReadProc("/proc/" + std::to_string(pid) + "/limits"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Max core file size", 0) != 0) continue;
    std::istringstream f(line.substr(18));
    std::string soft, hard;
    f >> soft >> hard;
    return soft == "0" && hard == "0";
  }
  return false;
}

// A non-dumpable process's /proc/PID files belong to root whatever its uid:
// run as a non-root uid (the test, if it is root, starts the program as
// nobody) and the owner of /proc/PID/environ tells the dumpable flag.
bool LooksNonDumpable(pid_t pid, uid_t expected_uid) {
  struct stat st {};
  const std::string p = "/proc/" + std::to_string(pid);
  if (::stat((p + "/environ").c_str(), &st) != 0) return false;
  const std::string status = ReadProc(p + "/status");
  const size_t at = status.find("Uid:\t");
  if (at == std::string::npos || std::stoul(status.substr(at + 5)) != expected_uid) return false;
  return st.st_uid == 0;
}

constexpr uid_t kNobody = 65534;

TEST(SignerdHardeningTest, NoCoreNoPinInProcOrLogsPrivateAuditLog) {
  SignerdSetup setup;
  setup.tokens = {"rel-a"};
  setup.sessions_per_token = 4;
  auto harness = SignerdHarness::Create(setup);
  ASSERT_TRUE(harness.ok()) << harness.status().message();
  SignerdHarness& fx = **harness;
  // Run signerd as a non-root uid so /proc ownership shows the dumpable flag.
  const bool as_root = ::geteuid() == 0;
  const uid_t uid = as_root ? kNobody : ::geteuid();
  if (as_root) {
    const CommandResult chown =
        RunShell("chown -R " + std::to_string(kNobody) + ":" + std::to_string(kNobody) + " " + fx.dir());
    ASSERT_EQ(chown.exit_code, 0) << chown.output;
    fx.process().RunAs(kNobody);
  }
  const StatusOr<std::string> addr = fx.Start();
  ASSERT_TRUE(addr.ok()) << addr.status().message() << fx.Diagnostics();
  // One signature, so the PIN has been used and a record written.
  signer::ClientTls tls{fx.pki().ca_file, fx.pki().ci.cert_file, fx.pki().ci.key_file, "localhost"};
  auto ch = signer::MakeChannel(*addr, tls);
  ASSERT_TRUE(ch.ok());
  auto stub = signer::v1::Signer::NewStub(*ch);
  signer::v1::SignRequest req;
  req.set_key_name("release");
  req.set_algorithm(signer::v1::ECDSA_P256_SHA256);
  req.set_request_id("hardening-1");
  req.mutable_digest()->set_sha256(std::string(32, '\x11'));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  signer::v1::SignResponse resp;
  const grpc::Status s = stub->Sign(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();

  const pid_t pid = fx.pid();
  const std::string proc = "/proc/" + std::to_string(pid);
  EXPECT_TRUE(CoreLimitIsZero(pid)) << ReadProc(proc + "/limits");
  EXPECT_TRUE(LooksNonDumpable(pid, uid)) << "signerd is dumpable (its /proc files are not root's)";
  const std::string cmdline = ReadProc(proc + "/cmdline");
  EXPECT_THAT(cmdline, HasSubstr("--config"));  // we did read the right process
  EXPECT_THAT(cmdline, Not(HasSubstr(kUserPin)));
  const std::string environ = ReadProc(proc + "/environ");
  EXPECT_THAT(environ, HasSubstr("SOFTHSM2_CONF="));
  EXPECT_THAT(environ, Not(HasSubstr(kUserPin)));

  struct stat st {};
  ASSERT_EQ(::stat(fx.audit_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  stub.reset();
  ch->reset();
  ASSERT_EQ(fx.Stop(), 0);
  EXPECT_THAT(ReadText(fx.audit_path()), HasSubstr("hardening-1"));
  EXPECT_THAT(ReadText(fx.audit_path()), Not(HasSubstr(kUserPin)));
  EXPECT_THAT(ReadText(fx.out_path()), Not(HasSubstr(kUserPin)));
  EXPECT_THAT(ReadText(fx.err_path()), Not(HasSubstr(kUserPin)));
}

TEST(ApplianceSimHardeningTest, NoCoreAndPrivateState) {
  const char* bin = std::getenv("PKI_BIN_DIR");
  ASSERT_NE(bin, nullptr);
  const std::string sim = std::string(bin) + "/appliance-sim";
  if (::access(sim.c_str(), X_OK) != 0) GTEST_SKIP() << "appliance-sim not built";
  const std::string dir = MakeTempDir("sim_hardening");
  const bool as_root = ::geteuid() == 0;
  const uid_t uid = as_root ? kNobody : ::geteuid();
  if (as_root) {
    ASSERT_EQ(::chown(dir.c_str(), kNobody, kNobody), 0);
  }
  const std::string sock = dir + "/sock";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (as_root && (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) ::_exit(126);
    const std::string state = dir + "/state", out = dir + "/sim.out";
    if (std::freopen(out.c_str(), "w", stdout) == nullptr) ::_exit(126);
    ::execl(sim.c_str(), sim.c_str(), "--state-dir", state.c_str(), "--socket", sock.c_str(), "--display-file",
            (dir + "/display.txt").c_str(), "--test-share-iterations", "1000", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 200 && ::access(sock.c_str(), F_OK) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_EQ(::access(sock.c_str(), F_OK), 0) << "appliance-sim did not open its socket";
  EXPECT_TRUE(CoreLimitIsZero(pid));
  EXPECT_TRUE(LooksNonDumpable(pid, uid)) << "appliance-sim is dumpable";
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/state").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const auto& e : std::filesystem::directory_iterator(dir + "/state")) {
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    if (S_ISREG(st.st_mode)) {
      EXPECT_EQ(st.st_mode & 0077, 0u) << e.path();
    }
  }
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pki::testing
