// signer_load — load on signerd over mutual TLS: N connections (one channel,
// one TCP+TLS connection and one client thread each), each keeping K calls in
// flight (closed loop), or sending at a fixed total rate (open loop, --rate).
// Prints throughput, p50/p90/p99/max latency of the successful calls, error
// counts by code, the client's own CPU time per call, and one RESULT line
// for scripts (bench/run_bench.sh).
//
// Open loop: calls are due on a fixed schedule (rate/N per connection); a
// call's latency runs from when it was due, not from when it could be sent,
// so a server that falls behind shows it in the percentiles (no coordinated
// omission). At most --max-outstanding calls per connection are in flight.
//
// --op sign signs a SHA-256 digest with --key-name; --op issue asks for a
// certificate from --csr (DER or PEM) under --profile, each call with a
// fresh request id.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "client_channel.h"
#include "common/file.h"
#include "common/pem.h"
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

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Options {
  std::string op = "sign";
  std::string key = "release";
  std::string alg_name = "ecdsa-p256-sha256";
  std::string profile = "tls-server";
  std::string csr_der;
  int connections = 4;
  int inflight = 1;
  double rate = 0;  // calls/s in total; 0 = closed loop
  int max_outstanding = 256;
  double duration = 10;
  double warmup = 0.5;
};

// One call in flight; its address is the completion queue tag.
struct Call {
  grpc::ClientContext ctx;
  v1::SignResponse sign_resp;
  v1::IssueCertificateResponse issue_resp;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::SignResponse>> sign_reader;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::IssueCertificateResponse>> issue_reader;
  Clock::time_point due;
  bool measured = false;  // due inside the measured window
};

struct ConnResult {
  std::vector<double> latencies_ms;
  std::map<std::string, uint64_t> errors;
  uint64_t sent = 0;
};

// RunConnection drives one connection until |end| and then drains it.
void RunConnection(const Options& o, v1::Signer::Stub& stub, const v1::SignRequest& sign_proto, int index,
                   Clock::time_point measure_from, Clock::time_point end, ConnResult& out) {
  grpc::CompletionQueue cq;
  const int cap = o.rate > 0 ? o.max_outstanding : o.inflight;
  const auto interval = o.rate > 0 ? std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(o.connections / o.rate))
                                   : Clock::duration::zero();
  // Spread the connections' schedules over one interval.
  Clock::time_point next_due = Clock::now() + interval * index / std::max(1, o.connections);
  int outstanding = 0;
  uint64_t n = 0;
  v1::SignRequest sreq = sign_proto;
  v1::IssueCertificateRequest ireq;
  ireq.set_profile(o.profile);
  ireq.set_csr_der(o.csr_der);
  for (;;) {
    Clock::time_point now = Clock::now();
    while (now < end && outstanding < cap && (o.rate <= 0 || next_due <= now)) {
      auto* call = new Call;
      call->due = o.rate > 0 ? next_due : now;
      call->measured = call->due >= measure_from;
      next_due += interval;
      call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      const std::string id = "load-" + std::to_string(index) + "-" + std::to_string(n++) + "-" +
                             std::to_string(Clock::now().time_since_epoch().count());
      if (o.op == "issue") {
        ireq.set_request_id(id);
        call->issue_reader = stub.AsyncIssueCertificate(&call->ctx, ireq, &cq);
        call->issue_reader->Finish(&call->issue_resp, &call->status, call);
      } else {
        sreq.set_request_id(id);
        call->sign_reader = stub.AsyncSign(&call->ctx, sreq, &cq);
        call->sign_reader->Finish(&call->sign_resp, &call->status, call);
      }
      ++outstanding;
      ++out.sent;
    }
    if (now >= end && outstanding == 0) break;
    Clock::time_point wait_until = now + std::chrono::milliseconds(50);
    if (o.rate > 0 && now < end && outstanding < cap) wait_until = std::min(wait_until, next_due);
    void* tag = nullptr;
    bool ok = false;
    const auto r = cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + (wait_until - now));
    if (r != grpc::CompletionQueue::GOT_EVENT) continue;
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    --outstanding;
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - call->due).count();
    if (!call->measured) continue;
    if (call->status.ok()) {
      out.latencies_ms.push_back(ms);
    } else {
      const std::string e = DescribeError(call->status);
      ++out.errors[e.substr(0, e.find(':'))];
    }
  }
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signer_load: Sign or IssueCertificate load over mutual TLS"};
  Options o;
  std::string server = "localhost:8443", csr_file;
  ClientTls tls;
  app.add_option("--server", server, "signerd host:port");
  app.add_option("--ca", tls.ca_file)->required();
  app.add_option("--cert", tls.cert_file)->required();
  app.add_option("--key", tls.key_file)->required();
  app.add_option("--server-name", tls.server_name);
  app.add_option("--op", o.op, "sign or issue")->check(CLI::IsMember({"sign", "issue"}));
  app.add_option("--key-name", o.key, "key to sign with (--op sign)");
  app.add_option("--alg", o.alg_name, "algorithm (digest algorithms only)");
  app.add_option("--profile", o.profile, "profile (--op issue)");
  app.add_option("--csr", csr_file, "PKCS#10 request, PEM or DER (--op issue)");
  app.add_option("--connections", o.connections)->check(CLI::Range(1, 256));
  app.add_option("--inflight", o.inflight, "calls in flight per connection (closed loop)")->check(CLI::Range(1, 1024));
  app.add_option("--rate", o.rate, "open loop: calls/s in total (0: closed loop)")->check(CLI::Range(0.0, 1e6));
  app.add_option("--max-outstanding", o.max_outstanding, "open loop: cap per connection")->check(CLI::Range(1, 4096));
  app.add_option("--duration", o.duration, "seconds measured")->check(CLI::Range(0.1, 3600.0));
  app.add_option("--warmup", o.warmup, "seconds run before measuring")->check(CLI::Range(0.0, 60.0));
  CLI11_PARSE(app, argc, argv);

  auto alg = ParseAlgorithm(o.alg_name);
  if (!alg || *alg == SignAlgorithm::kEd25519) {
    std::fprintf(stderr, "signer_load: --alg must be a digest algorithm\n");
    return 2;
  }
  if (o.op == "issue") {
    if (csr_file.empty()) {
      std::fprintf(stderr, "signer_load: --op issue needs --csr\n");
      return 2;
    }
    auto text = ReadFile(csr_file, 1u << 20);
    if (!text.ok()) {
      std::fprintf(stderr, "signer_load: cannot read %s\n", csr_file.c_str());
      return 2;
    }
    o.csr_der = *text;
    if (text->find("-----BEGIN") != std::string::npos) {
      OsslPtr<BIO> bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
      OsslPtr<X509_REQ> req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
      unsigned char* der = nullptr;
      const int len = req ? i2d_X509_REQ(req.get(), &der) : -1;
      if (len <= 0) {
        std::fprintf(stderr, "signer_load: %s is not a PEM certificate request\n", csr_file.c_str());
        return 2;
      }
      o.csr_der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
      OPENSSL_free(der);
    }
  }
  std::vector<std::unique_ptr<v1::Signer::Stub>> stubs;
  for (int i = 0; i < o.connections; ++i) {
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

  v1::SignRequest sign_proto;
  sign_proto.set_key_name(o.key);
  sign_proto.set_algorithm(static_cast<v1::Algorithm>(*alg));
  const std::string digest = HashFor(*alg, "signer_load payload");
  if (digest.size() == 32) sign_proto.mutable_digest()->set_sha256(digest);
  if (digest.size() == 48) sign_proto.mutable_digest()->set_sha384(digest);
  if (digest.size() == 64) sign_proto.mutable_digest()->set_sha512(digest);

  const auto start = Clock::now();
  const auto measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  const auto end = measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  std::vector<ConnResult> results(static_cast<size_t>(o.connections));
  double cpu0 = 0;
  std::thread cpu_mark([&] {
    std::this_thread::sleep_until(measure_from);
    cpu0 = CpuSeconds();
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < o.connections; ++t) {
    threads.emplace_back([&, t] {
      RunConnection(o, *stubs[static_cast<size_t>(t)], sign_proto, t, measure_from, end,
                    results[static_cast<size_t>(t)]);
    });
  }
  cpu_mark.join();
  for (auto& th : threads) th.join();
  const double cpu = CpuSeconds() - cpu0;
  const double secs = std::chrono::duration<double>(Clock::now() - measure_from).count();

  std::vector<double> lat;
  std::map<std::string, uint64_t> errors;
  uint64_t failed = 0;
  for (ConnResult& r : results) {
    lat.insert(lat.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    for (auto& [k, v] : r.errors) {
      errors[k] += v;
      failed += v;
    }
  }
  const size_t ok = lat.size();
  const double p50 = Percentile(lat, 0.50), p90 = Percentile(lat, 0.90), p99 = Percentile(lat, 0.99);
  const double max = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
  const double tput = static_cast<double>(ok) / secs;
  const std::string what = o.op == "issue" ? "IssueCertificate " + o.profile : "Sign " + o.key + " " + o.alg_name;
  char shape[96];
  if (o.rate > 0) {
    std::snprintf(shape, sizeof(shape), "open loop at %.0f/s", o.rate);
  } else {
    std::snprintf(shape, sizeof(shape), "closed loop, %d in flight each", o.inflight);
  }
  std::printf("signer_load: %s, %d connections, %s, %.1f s measured\n", what.c_str(), o.connections, shape, secs);
  std::printf("  ok %zu  throughput %.1f calls/s\n", ok, tput);
  std::printf("  latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", p50, p90, p99, max);
  std::printf("  client CPU %.0f us per call\n", ok > 0 ? cpu * 1e6 / static_cast<double>(ok) : 0.0);
  for (const auto& [code, n] : errors) std::printf("  errors %s: %llu\n", code.c_str(), static_cast<unsigned long long>(n));
  std::printf("RESULT op=%s conns=%d inflight=%d rate=%.0f ok=%zu errors=%llu tput=%.1f p50=%.3f p99=%.3f client_cpu_us=%.1f\n",
              o.op.c_str(), o.connections, o.rate > 0 ? 0 : o.inflight, o.rate, ok,
              static_cast<unsigned long long>(failed), tput, p50, p99,
              ok > 0 ? cpu * 1e6 / static_cast<double>(ok) : 0.0);
  return errors.empty() ? 0 : 1;
}
