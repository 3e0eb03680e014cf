// pkcs11_raw_bench — ECDSA P-256 signatures/s on a SoftHSMv2 token: raw
// C_SignInit+C_Sign with one session per thread (the baseline), then the same
// signing through the KeyPool (CreatePkcs11Pool + Sign), at 1 and 2 threads.
// Prints the median of 5 runs and the ratio pool/raw.
//
// Usage: pkcs11_raw_bench [seconds_per_run=1.0]
// Makes its own token in a temporary folder (SOFTHSM2_CONF); needs
// /usr/lib/softhsm/libsofthsm2.so.
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

template <typename F>
double Median5(int threads, double seconds, F make_worker) {
  std::vector<double> runs;
  for (int i = 0; i < 5; ++i) runs.push_back(Measure(threads, seconds, make_worker));
  std::sort(runs.begin(), runs.end());
  return runs[2];
}

}  // namespace

int main(int argc, char** argv) {
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
