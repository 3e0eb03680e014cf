// pkcs11_raw_bench — ECDSA P-256 signatures/s on a SoftHSMv2 token: raw
// C_SignInit+C_Sign with one session per thread (the baseline), then the same
// signing through the KeyPool (CreatePkcs11Pool + Sign), at 1 and 2 threads.
// Prints the median of 5 runs and the ratio pool/raw.
//
// Usage: pkcs11_raw_bench [seconds_per_run=1.0]
// Makes its own token in a temporary folder (SOFTHSM2_CONF); needs
// /usr/lib/softhsm/libsofthsm2.so.
//
// Token mode (bench/run_bench.sh): raw C_SignInit+C_Sign on an existing
// token's key through any PKCS#11 module, one session per thread:
//   pkcs11_raw_bench --module PATH --token LABEL --pin-file FILE --key LABEL
//                    [--threads 1,2] [--seconds 1] [--runs 3] [--name raw]
// e.g. the SoftHSMv2 module itself, or p11-kit-client.so with
// P11_KIT_SERVER_ADDRESS pointing at a `p11-kit server` exporting it.
// Prints, per thread count, the median rate of the runs and the per-call
// p50/p99 of the median run, then a RESULT line for scripts.
#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "common/file.h"
#include "errors.h"
#include "hsm_session.h"
#include "keygen.h"
#include "module.h"
#include "session.h"
#include "signer/pkcs11_pool.h"
#include "uri.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";
constexpr const char* kPin = "bench-pin-1234";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "pkcs11_raw_bench: %s\n", what.c_str());
  std::exit(2);
}

// Runs |threads| workers calling |one| for |seconds|; returns signatures/s.
template <typename F>
double Measure(int threads, double seconds, F make_worker) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> count{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto one = make_worker(t);
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!one()) Die("a signature failed");
        ++n;
      }
      count.fetch_add(n);
    });
  }
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& th : pool) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return static_cast<double>(count.load()) / elapsed;
}

// Token mode: see the header comment.
struct RunStats {
  double rate = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

RunStats MeasureRaw(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, CK_OBJECT_HANDLE key, int threads, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::vector<std::vector<double>> lat(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  unsigned char digest[32];
  SHA256(reinterpret_cast<const unsigned char*>("bench"), 5, digest);
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::string detail;
      auto session = pki::signer::internal::Session::Open(fn, slot, false, &detail);
      if (!session.ok()) Die("session: " + detail);
      std::vector<double>& mine = lat[static_cast<size_t>(t)];
      mine.reserve(1 << 16);
      ready.fetch_add(1);
      while (!stop.load(std::memory_order_relaxed)) {
        const auto t0 = Clock::now();
        CK_MECHANISM mech{CKM_ECDSA, nullptr, 0};
        unsigned char sig[256];
        CK_ULONG len = sizeof(sig);
        if (fn->C_SignInit(session->get(), &mech, key) != CKR_OK ||
            fn->C_Sign(session->get(), digest, sizeof(digest), sig, &len) != CKR_OK) {
          Die("C_Sign failed");
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  while (ready.load() < threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  RunStats r;
  r.rate = static_cast<double>(all.size()) / elapsed;
  if (!all.empty()) {
    std::sort(all.begin(), all.end());
    r.p50_ms = all[all.size() / 2];
    r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return r;
}

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

int TokenMode(int argc, char** argv) {
  const std::string module_path = Arg(argc, argv, "--module", "");
  const std::string token = Arg(argc, argv, "--token", "");
  const std::string pin_file = Arg(argc, argv, "--pin-file", "");
  const std::string key_label = Arg(argc, argv, "--key", "");
  const std::string name = Arg(argc, argv, "--name", "raw");
  const double seconds = std::atof(Arg(argc, argv, "--seconds", "1").c_str());
  const int runs = std::atoi(Arg(argc, argv, "--runs", "3").c_str());
  std::vector<int> thread_counts;
  {
    std::string list = Arg(argc, argv, "--threads", "1,2");
    size_t pos = 0;
    while (pos < list.size()) {
      size_t comma = list.find(',', pos);
      if (comma == std::string::npos) comma = list.size();
      const int n = std::atoi(list.substr(pos, comma - pos).c_str());
      if (n < 1 || n > 256) Die("--threads: each count must be 1..256");
      thread_counts.push_back(n);
      pos = comma + 1;
    }
  }
  if (token.empty() || pin_file.empty() || key_label.empty()) Die("token mode needs --token, --pin-file and --key");
  if (seconds <= 0 || runs < 1) Die("--seconds must be > 0 and --runs >= 1");
  auto hsm = pki::signerctl::HsmSession::Open(module_path, token, pin_file);
  if (!hsm.ok()) Die(std::string(hsm.status().message()));
  auto key = (*hsm)->FindKey(key_label);
  if (!key.ok()) Die(std::string(key.status().message()));
  CK_FUNCTION_LIST* fn = (*hsm)->fn();
  CK_SESSION_INFO si{};
  if (fn->C_GetSessionInfo((*hsm)->session(), &si) != CKR_OK) Die("C_GetSessionInfo");
  std::printf("%s: ECDSA P-256 C_SignInit+C_Sign via %s, token %s, key %s; median of %d runs of %.1f s\n",
              name.c_str(), module_path.c_str(), token.c_str(), key_label.c_str(), runs, seconds);
  for (int threads : thread_counts) {
    std::vector<RunStats> all;
    for (int i = 0; i < runs; ++i) all.push_back(MeasureRaw(fn, si.slotID, key->handle, threads, seconds));
    std::sort(all.begin(), all.end(), [](const RunStats& a, const RunStats& b) { return a.rate < b.rate; });
    const RunStats& m = all[all.size() / 2];
    std::printf("  %3d thread(s), 1 session each: %9.0f sig/s  p50 %.3f ms  p99 %.3f ms\n", threads, m.rate,
                m.p50_ms, m.p99_ms);
    std::printf("RESULT path=%s threads=%d tput=%.1f p50=%.4f p99=%.4f\n", name.c_str(), threads, m.rate,
                m.p50_ms, m.p99_ms);
  }
  hsm->reset();
  return 0;
}

template <typename F>
double Median5(int threads, double seconds, F make_worker) {
  std::vector<double> runs;
  for (int i = 0; i < 5; ++i) runs.push_back(Measure(threads, seconds, make_worker));
  std::sort(runs.begin(), runs.end());
  return runs[2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]).rfind("--", 0) == 0) return TokenMode(argc, argv);
  double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  if (seconds <= 0) Die("seconds_per_run must be > 0");
  std::string dir = (std::filesystem::temp_directory_path() / "pki-bench-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) Die("mkdtemp");
  std::filesystem::create_directory(dir + "/tokens");
  std::ofstream(dir + "/softhsm2.conf") << "directories.tokendir = " << dir << "/tokens\n"
                                        << "objectstore.backend = file\nlog.level = ERROR\n";
  setenv("SOFTHSM2_CONF", (dir + "/softhsm2.conf").c_str(), 1);
  std::string pin_file = dir + "/pin";
  if (!pki::WriteFileAtomic(pin_file, pki::AsBytes(kPin), 0600).ok()) Die("pin file");

  using pki::signer::internal::Module;
  using pki::signer::internal::Session;
  std::string detail;
  auto module_or = Module::Load(kModule, &detail);
  if (!module_or.ok()) Die(std::string(module_or.status().message()));
  std::shared_ptr<Module> module = *module_or;
  CK_FUNCTION_LIST* fn = module->fn();
  // Token init through the API (no PIN on a command line).
  {
    CK_ULONG n = 8;
    std::vector<CK_SLOT_ID> slots(n);
    if (fn->C_GetSlotList(CK_FALSE, slots.data(), &n) != CKR_OK || n == 0) Die("slot list");
    unsigned char label[32];
    std::fill(std::begin(label), std::end(label), ' ');
    std::copy_n("bench", 5, label);
    std::string so = "so-bench-1234";
    if (fn->C_InitToken(slots[0], reinterpret_cast<CK_UTF8CHAR*>(so.data()), static_cast<CK_ULONG>(so.size()), label) != CKR_OK) Die("init token");
    n = 8;
    if (fn->C_GetSlotList(CK_TRUE, slots.data(), &n) != CKR_OK) Die("slot list");
    for (CK_ULONG i = 0; i < n; ++i) {
      CK_TOKEN_INFO ti{};
      if (fn->C_GetTokenInfo(slots[i], &ti) != CKR_OK) continue;
      if (pki::signer::internal::PaddedField(ti.label, sizeof(ti.label)) != "bench") continue;
      auto s = Session::Open(fn, slots[i], true, &detail);
      if (!s.ok()) Die("session");
      std::string pin = kPin;
      if (fn->C_Login(s->get(), CKU_SO, reinterpret_cast<CK_UTF8CHAR*>(so.data()), static_cast<CK_ULONG>(so.size())) != CKR_OK ||
          fn->C_InitPIN(s->get(), reinterpret_cast<CK_UTF8CHAR*>(pin.data()), static_cast<CK_ULONG>(pin.size())) != CKR_OK) {
        Die("init pin");
      }
      fn->C_Logout(s->get());
    }
  }
  auto hsm = pki::signerctl::HsmSession::Open(kModule, "bench", pin_file);
  if (!hsm.ok()) Die(std::string(hsm.status().message()));
  if (!pki::signerctl::GenerateKey(**hsm, "bench-p256", pki::signerctl::KeyType::kEcP256).ok()) Die("keygen");
  auto key = (*hsm)->FindKey("bench-p256");
  if (!key.ok()) Die("find key");
  CK_OBJECT_HANDLE handle = key->handle;
  CK_SLOT_ID slot = 0;
  {
    CK_SESSION_INFO si{};
    fn->C_GetSessionInfo((*hsm)->session(), &si);
    slot = si.slotID;
  }
  unsigned char digest[32];
  SHA256(reinterpret_cast<const unsigned char*>("bench"), 5, digest);

  std::printf("ECDSA P-256 (SHA-256 digest) on SoftHSMv2, median of 5 runs of %.1f s\n", seconds);
  double raw[3] = {0, 0, 0};
  for (int threads : {1, 2}) {
    raw[threads] = Median5(threads, seconds, [&](int) {
      auto session = std::make_shared<Session>(std::move(Session::Open(fn, slot, false, &detail)).value());
      return [fn, handle, session, &digest]() {
        CK_MECHANISM mech{CKM_ECDSA, nullptr, 0};
        if (fn->C_SignInit(session->get(), &mech, handle) != CKR_OK) return false;
        unsigned char sig[128];
        CK_ULONG len = sizeof(sig);
        return fn->C_Sign(session->get(), digest, sizeof(digest), sig, &len) == CKR_OK;
      };
    });
    std::printf("  raw C_Sign, %d thread(s), 1 session each: %10.0f sig/s\n", threads, raw[threads]);
  }

  pki::signer::PoolConfig config;
  config.module_paths = {kModule};
  config.logins = {{"pkcs11:token=bench", pin_file}};
  pki::signer::KeyConfig kc;
  kc.name = "bench";
  pki::signer::KeyVersionConfig v;
  v.replica_uris = {"pkcs11:token=bench;object=bench-p256;type=private"};
  kc.versions.push_back(v);
  config.keys.push_back(kc);
  config.sessions_per_token = 2;
  config.probe_interval = std::chrono::milliseconds(60000);
  auto pool = pki::signer::CreatePkcs11Pool(config);
  if (!pool.ok()) Die(std::string(pool.status().message()));
  for (int threads : {1, 2}) {
    double rate = Median5(threads, seconds, [&](int) {
      return [&]() {
        auto r = (*pool)->Sign("bench", 0, pki::signer::SignAlgorithm::kEcdsaP256Sha256,
                               pki::ByteSpan(digest, 32), std::chrono::milliseconds(5000), nullptr);
        return r.ok();
      };
    });
    std::printf("  KeyPool::Sign, %d thread(s), 2 sessions:   %10.0f sig/s   pool/raw = %.2f\n",
                threads, rate, rate / raw[threads]);
  }
  pool->reset();
  hsm->reset();
  module.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
