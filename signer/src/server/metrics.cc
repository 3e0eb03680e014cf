#include "server/metrics.h"

#include <cstdio>

namespace pki::signer {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

// Label values come from our config (key names are [A-Za-z0-9._-]) and fixed
// method names, but escape anyway.
std::string Label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

void Metrics::RecordRequest(std::string_view method, StatusCode code, std::chrono::microseconds latency) {
  const double secs = static_cast<double>(latency.count()) / 1e6;
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(method), StatusCodeName(code)}];
  Histogram& h = latency_[std::string(method)];
  size_t i = 0;
  while (i < kBuckets.size() && secs > kBuckets[i]) ++i;
  if (i < kBuckets.size()) ++h.buckets[i];
  ++h.count;
  h.sum += secs;
}

std::string Metrics::Render(const std::vector<KeyVersionInfo>& keys, uint64_t audit_last_seq,
                            bool audit_healthy) const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  out += "# HELP signer_requests_total Requests finished, by method and status code.\n";
  out += "# TYPE signer_requests_total counter\n";
  for (const auto& [k, v] : requests_) {
    out += "signer_requests_total{method=\"" + Label(k.first) + "\",code=\"" + Label(k.second) +
           "\"} " + std::to_string(v) + "\n";
  }
  out += "# HELP signer_request_duration_seconds Request latency, by method.\n";
  out += "# TYPE signer_request_duration_seconds histogram\n";
  for (const auto& [method, h] : latency_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      out += "signer_request_duration_seconds_bucket{method=\"" + Label(method) + "\",le=\"" +
             Num(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "signer_request_duration_seconds_bucket{method=\"" + Label(method) + "\",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "signer_request_duration_seconds_sum{method=\"" + Label(method) + "\"} " + Num(h.sum) + "\n";
    out += "signer_request_duration_seconds_count{method=\"" + Label(method) + "\"} " +
           std::to_string(h.count) + "\n";
  }
  out += "# HELP signer_key_up 1 if the key version can sign (some replica healthy).\n";
  out += "# TYPE signer_key_up gauge\n";
  for (const KeyVersionInfo& k : keys) {
    out += "signer_key_up{key=\"" + Label(k.key_name) + "\",version=\"" + std::to_string(k.version) +
           "\"} " + (k.health == KeyHealth::kUnavailable ? "0" : "1") + "\n";
  }
  out += "# HELP signer_key_replicas_healthy Replicas of the key version in rotation.\n";
  out += "# TYPE signer_key_replicas_healthy gauge\n";
  for (const KeyVersionInfo& k : keys) {
    out += "signer_key_replicas_healthy{key=\"" + Label(k.key_name) + "\",version=\"" +
           std::to_string(k.version) + "\"} " + std::to_string(k.replicas_healthy) + "\n";
  }
  out += "# HELP signer_audit_last_seq Sequence number of the last durable audit record.\n";
  out += "# TYPE signer_audit_last_seq gauge\n";
  out += "signer_audit_last_seq " + std::to_string(audit_last_seq) + "\n";
  out += "# HELP signer_audit_healthy 1 while the audit log accepts records.\n";
  out += "# TYPE signer_audit_healthy gauge\n";
  out += std::string("signer_audit_healthy ") + (audit_healthy ? "1" : "0") + "\n";
  return out;
}

}  // namespace pki::signer
