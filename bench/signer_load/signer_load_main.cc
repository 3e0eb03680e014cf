// signer_load — N concurrent mutual-TLS connections to signerd, each sending
// Sign requests back to back for a fixed time (or until a request budget is
// spent); prints throughput and p50/p90/p99/max latency of the successful
// calls, and error counts by code. Baseline measured in the same run: the
// same signature computed in-process with an OpenSSL software key on one
// thread (what the network, TLS, policy, audit fsync and HSM add on top).
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "client_channel.h"
#include "common/ossl.h"
#include "signer/v1/signer.grpc.pb.h"

namespace {

using namespace pki;
using namespace pki::signer;
using Clock = std::chrono::steady_clock;

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

// Baseline: in-process ECDSA P-256 signatures over a 32-byte digest for |secs|.
double BaselineSignsPerSecond(double secs) {
  OsslPtr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  const unsigned char digest[32] = {1};
  unsigned char sig[128];
  uint64_t n = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(secs);
  while (Clock::now() < end) {
    OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
    size_t len = sizeof(sig);
    if (EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_sign(ctx.get(), sig, &len, digest, 32) != 1) return 0;
    ++n;
  }
  return static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signer_load: Sign load over mutual TLS"};
  std::string server = "localhost:8443", key = "release", alg_name = "ecdsa-p256-sha256";
  ClientTls tls;
  int connections = 4;
  double duration = 10;
  uint64_t max_requests = 1000000;
  app.add_option("--server", server, "signerd host:port");
  app.add_option("--ca", tls.ca_file)->required();
  app.add_option("--cert", tls.cert_file)->required();
  app.add_option("--key", tls.key_file)->required();
  app.add_option("--server-name", tls.server_name);
  app.add_option("--key-name", key, "key to sign with");
  app.add_option("--alg", alg_name, "algorithm (digest algorithms only)");
  app.add_option("--connections", connections)->check(CLI::Range(1, 256));
  app.add_option("--duration", duration, "seconds")->check(CLI::Range(0.1, 3600.0));
  app.add_option("--max-requests", max_requests, "stop after this many requests in total");
  CLI11_PARSE(app, argc, argv);

  auto alg = ParseAlgorithm(alg_name);
  if (!alg || *alg == SignAlgorithm::kEd25519) {
    std::fprintf(stderr, "signer_load: --alg must be a digest algorithm\n");
    return 2;
  }
  std::vector<std::unique_ptr<v1::Signer::Stub>> stubs;
  for (int i = 0; i < connections; ++i) {
    auto ch = MakeChannel(server, tls);
    if (!ch.ok()) {
      std::fprintf(stderr, "signer_load: %.*s\n", static_cast<int>(ch.status().message().size()),
                   ch.status().message().data());
      return 2;
    }
    if (!(*ch)->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::fprintf(stderr, "signer_load: cannot connect to %s\n", server.c_str());
      return 3;
    }
    stubs.push_back(v1::Signer::NewStub(*ch));
  }

  std::atomic<uint64_t> budget{max_requests};
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::map<std::string, uint64_t> errors;
  const std::string digest = HashFor(*alg, "signer_load payload");
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(duration);
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      std::vector<double> mine;
      std::map<std::string, uint64_t> my_errors;
      v1::SignRequest req;
      req.set_key_name(key);
      req.set_algorithm(static_cast<v1::Algorithm>(*alg));
      if (digest.size() == 32) req.mutable_digest()->set_sha256(digest);
      if (digest.size() == 48) req.mutable_digest()->set_sha384(digest);
      if (digest.size() == 64) req.mutable_digest()->set_sha512(digest);
      uint64_t n = 0;
      while (Clock::now() < end) {
        uint64_t left = budget.load();
        do {
          if (left == 0) break;
        } while (!budget.compare_exchange_weak(left, left - 1));
        if (left == 0) break;
        req.set_request_id("load-" + std::to_string(t) + "-" + std::to_string(n++));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        v1::SignResponse resp;
        const auto t0 = Clock::now();
        grpc::Status s = stubs[static_cast<size_t>(t)]->Sign(&ctx, req, &resp);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (s.ok()) {
          mine.push_back(ms);
        } else {
          ++my_errors[DescribeError(s).substr(0, DescribeError(s).find(':'))];
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      for (auto& [k, v] : my_errors) errors[k] += v;
    });
  }
  for (auto& th : threads) th.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  const size_t ok = latencies_ms.size();
  const double p50 = Percentile(latencies_ms, 0.50), p90 = Percentile(latencies_ms, 0.90),
               p99 = Percentile(latencies_ms, 0.99);
  const double max = latencies_ms.empty() ? 0 : *std::max_element(latencies_ms.begin(), latencies_ms.end());
  std::printf("signer_load: %s %s, %d connections, %.1f s\n", key.c_str(), alg_name.c_str(), connections, secs);
  std::printf("  ok %zu  throughput %.1f signatures/s\n", ok, static_cast<double>(ok) / secs);
  std::printf("  latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", p50, p90, p99, max);
  for (const auto& [code, n] : errors) std::printf("  errors %s: %llu\n", code.c_str(), static_cast<unsigned long long>(n));
  std::printf("  baseline (in-process OpenSSL ECDSA P-256, 1 thread): %.1f signatures/s\n",
              BaselineSignsPerSecond(std::min(2.0, duration)));
  return errors.empty() ? 0 : 1;
}
