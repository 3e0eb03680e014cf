// appliance-sim — the appliance firmware core on host ports: a state
// directory as flash, the OS clock, getrandom entropy, a file (or stderr) as
// its display, a file as its tamper switch, and a pty or unix socket as its
// serial line.
//
//   appliance-sim --state-dir DIR (--pty | --socket PATH) [options]
//
// Prints "appliance-sim: ready on PATH" on stdout once it listens. Stops on
// SIGINT/SIGTERM, wiping what it holds. Test builds add --test-entropy-seed
// and --test-share-iterations; production builds do not have them.
//
// Like the device it stands in for, it leaves nothing of the root key or a
// quorum behind when it dies: it makes itself non-dumpable and sets its core
// size limit to 0 before it opens any state.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cerrno>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "device/appliance.h"
#include "device/link_server.h"
#include "hw/host/file_storage.h"
#include "hw/host/file_tamper.h"
#include "hw/host/getrandom_entropy.h"
#include "hw/host/pty_link.h"
#include "hw/host/socket_link.h"
#include "hw/host/stream_display.h"
#include "hw/host/system_clock.h"
#if !PKI_PRODUCTION_BUILD
#include "hw/fake/seeded_entropy.h"
#endif

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int Fail(const char* what, const pki::Status& s) {
  std::fprintf(stderr, "appliance-sim: %s: %s: %.*s\n", what, pki::StatusCodeName(s.code()),
               static_cast<int>(s.message().size()), s.message().data());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pki;
  const rlimit no_core{0, 0};
  if (::setrlimit(RLIMIT_CORE, &no_core) != 0 || ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    std::perror("appliance-sim: cannot disable core dumps");
    return 1;
  }
  CLI::App app{"appliance-sim: the root appliance on host ports"};
  std::string state_dir, socket_path, display_file, device_id = "appliance-sim";
  std::string crl_url = "http://pki.example.invalid/root.crl";
  std::string aia_url = "http://pki.example.invalid/root.crt";
  bool use_pty = false;
  uint32_t quorum_timeout_s = 900;
  uint32_t inter_byte_ms = appliance::link::FrameDecoder::kDefaultInterByteTimeoutMs;
  app.add_option("--state-dir", state_dir, "directory holding the appliance's storage (created 0700)")
      ->required();
  auto* pty = app.add_flag("--pty", use_pty, "serve on a new pseudo-terminal");
  auto* sock = app.add_option("--socket", socket_path, "serve on a unix socket at this path");
  pty->excludes(sock);
  sock->excludes(pty);
  app.add_option("--display-file", display_file, "append display screens here (default: stderr)");
  app.add_option("--device-id", device_id, "device identity bound into shares (1..39 bytes)");
  app.add_option("--quorum-timeout-seconds", quorum_timeout_s, "quorum session lifetime")
      ->check(CLI::Range(1u, 86400u));
  app.add_option("--inter-byte-timeout-ms", inter_byte_ms, "drop a partial frame after this idle time")
      ->check(CLI::Range(10u, 60000u));
  app.add_option("--crl-url", crl_url, "CRL distribution point written into intermediates");
  app.add_option("--aia-url", aia_url, "caIssuers URL written into intermediates");
#if !PKI_PRODUCTION_BUILD
  std::optional<uint64_t> test_seed;
  uint32_t test_iterations = 0;
  app.add_option("--test-entropy-seed", test_seed, "TEST BUILDS ONLY: deterministic entropy");
  app.add_option("--test-share-iterations", test_iterations,
                 "TEST BUILDS ONLY: PBKDF2 iterations for shares (fast tests)");
#endif
  CLI11_PARSE(app, argc, argv);
  if (!use_pty && socket_path.empty()) {
    std::fprintf(stderr, "appliance-sim: one of --pty or --socket PATH is required\n");
    return 2;
  }

  // Hardware.
  if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "appliance-sim: cannot create --state-dir %s\n", state_dir.c_str());
    return 1;
  }
  StatusOr<std::unique_ptr<hw::Storage>> storage = hw::CreateFileStorage(state_dir + "/storage");
  if (!storage.ok()) return Fail("storage", storage.status());
  hw::host::SystemClock clock;
  hw::host::FileTamper tamper(state_dir + "/tamper");
  std::unique_ptr<hw::host::StreamDisplay> display;
  if (display_file.empty()) {
    display = hw::host::StreamDisplay::CreateForStderr();
  } else {
    auto d = hw::host::StreamDisplay::CreateForFile(display_file);
    if (!d.ok()) return Fail("display", d.status());
    display = std::move(*d);
  }
  std::unique_ptr<hw::EntropySource> entropy = std::make_unique<hw::host::GetrandomEntropy>();
  appliance::device::ApplianceConfig config;
  config.device.device_id = device_id;
  config.device.quorum_timeout_ms = static_cast<uint64_t>(quorum_timeout_s) * 1000;
  config.ca.crl_url = crl_url;
  config.ca.aia_url = aia_url;
#if !PKI_PRODUCTION_BUILD
  if (test_seed.has_value()) {
    auto seeded = hw::fake::SeededEntropy::Create(*test_seed);
    if (!seeded.ok()) return Fail("entropy", seeded.status());
    entropy = std::move(*seeded);
    std::fprintf(stderr, "appliance-sim: WARNING: deterministic test entropy (seed %llu)\n",
                 static_cast<unsigned long long>(*test_seed));
  }
  if (test_iterations != 0) config.device.share_iterations = test_iterations;
#endif

  std::unique_ptr<hw::SerialLink> link;
  std::string where;
  if (use_pty) {
    auto p = hw::host::PtyLink::Create();
    if (!p.ok()) return Fail("pty", p.status());
    where = (*p)->SlavePath();
    link = std::move(*p);
  } else {
    auto s = hw::host::SocketLink::Create(socket_path);
    if (!s.ok()) return Fail("socket", s.status());
    where = socket_path;
    link = std::move(*s);
  }

  appliance::device::ApplianceHardware hw;
  hw.storage = storage->get();
  hw.clock = &clock;
  hw.entropy = entropy.get();
  hw.display = display.get();
  hw.tamper = &tamper;
  // About 100 KiB: static storage, as on a board, not the stack.
  static std::optional<appliance::device::Appliance> appliance;
  Status s = appliance::device::Appliance::Create(hw, config, appliance);
  if (!s.ok()) return Fail("boot", s);
  static std::optional<appliance::device::LinkServer> server;
  server.emplace(appliance->device(), *link, clock, inter_byte_ms);

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  std::printf("appliance-sim: ready on %s\n", where.c_str());
  std::fflush(stdout);
  while (!g_stop) {
    // Link errors (a client hanging up) are normal; the server resyncs.
    server->RunOnce(100).Ignore();
  }
  server.reset();
  appliance.reset();
  std::fprintf(stderr, "appliance-sim: stopped; secrets wiped\n");
  return 0;
}
