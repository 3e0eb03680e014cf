#include "server/metrics_status.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace pki::signer {
namespace {

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Utc(int64_t t) {
  if (t <= 0) return "";
  const std::time_t tt = static_cast<std::time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Json quotes |v| as a JSON string. Bytes outside printable ASCII are
// escaped, so the page is valid JSON whatever a token label holds.
std::string Json(std::string_view v) {
  std::string out = "\"";
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

// PromLabel quotes |v| as a Prometheus label value (\\, \", \n escaped;
// other control bytes dropped).
std::string PromLabel(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) >= 0x20) {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::string Bool(bool b) { return b ? "true" : "false"; }

// UriLabel returns the token= attribute of a PKCS#11 URI, percent-decoded.
std::string UriLabel(std::string_view uri) {
  size_t at = uri.find("token=");
  while (at != std::string_view::npos && at > 0 && uri[at - 1] != ':' && uri[at - 1] != ';') {
    at = uri.find("token=", at + 1);
  }
  if (at == std::string_view::npos) return "";
  std::string_view v = uri.substr(at + 6);
  v = v.substr(0, v.find(';'));
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size()) {
      unsigned int x = 0;
      if (std::sscanf(std::string(v.substr(i + 1, 2)).c_str(), "%2x", &x) == 1) {
        out.push_back(static_cast<char>(x));
        i += 2;
        continue;
      }
    }
    out.push_back(v[i]);
  }
  return out;
}

const char* HealthName(KeyHealth h) {
  switch (h) {
    case KeyHealth::kEnabled: return "enabled";
    case KeyHealth::kDegraded: return "degraded";
    case KeyHealth::kUnavailable: return "unavailable";
  }
  return "unavailable";
}

const char* PurposeName(KeyPurpose p) {
  return p == KeyPurpose::kCertificateIssuance ? "certificate-issuance" : "artifact-signing";
}

}  // namespace

std::string RenderStatusJson(const StatusInputs& in) {
  std::string o = "{\n  \"schema\": \"signerd-status/1\",\n";
  o += "  \"server\": {\"listen\": " + Json(in.listen) + ", \"started\": " + Json(Utc(in.started_unix)) +
       ", \"now\": " + Json(Utc(in.now_unix)) + "},\n";
  o += "  \"audit\": {\"healthy\": " + Bool(in.audit_healthy) +
       ", \"last_seq\": " + std::to_string(in.audit_last_seq) + "},\n";
  o += "  \"tokens\": [";
  for (size_t i = 0; i < in.tokens.size(); ++i) {
    const TokenStatus& t = in.tokens[i];
    o += i == 0 ? "\n" : ",\n";
    o += "    {\"uri\": " + Json(t.uri) + ", \"label\": " + Json(UriLabel(t.uri)) +
         ", \"module\": " + Json(t.module_path) + ", \"slot\": " + std::to_string(t.slot_id) +
         ",\n     \"state\": " + Json(t.healthy ? "in-rotation" : "out-of-rotation") +
         ", \"since\": " + Json(Utc(t.since_unix)) + ", \"reason\": " + Json(t.healthy ? "" : t.reason) +
         ", \"last_error\": " + Json(t.last_error) +
         ",\n     \"sessions_open\": " + std::to_string(t.sessions_open) +
         ", \"sessions_max\": " + std::to_string(t.sessions_max) + ", \"queued\": " + std::to_string(t.queued) +
         ", \"signatures\": " + std::to_string(t.signatures) + ", \"failures\": " + std::to_string(t.failures) +
         ", \"reinitializations\": " + std::to_string(t.reinitializations) + "}";
  }
  o += in.tokens.empty() ? "],\n" : "\n  ],\n";
  o += "  \"keys\": [";
  for (size_t i = 0; i < in.keys.size(); ++i) {
    const KeyVersionInfo& k = in.keys[i];
    auto p = in.primary_versions.find(k.key_name);
    const bool primary = p != in.primary_versions.end() && p->second == k.version;
    o += i == 0 ? "\n" : ",\n";
    o += "    {\"name\": " + Json(k.key_name) + ", \"version\": " + std::to_string(k.version) +
         ", \"primary\": " + Bool(primary) + ", \"purpose\": " + Json(PurposeName(k.purpose)) +
         ", \"health\": " + Json(HealthName(k.health)) +
         ", \"replicas_healthy\": " + std::to_string(k.replicas_healthy) +
         ", \"replicas_total\": " + std::to_string(k.replicas_total) +
         ", \"not_after\": " + Json(Utc(k.not_after_unix)) + ",\n     \"replicas\": [";
    auto r = in.replicas.find({k.key_name, k.version});
    if (r != in.replicas.end()) {
      for (size_t j = 0; j < r->second.size(); ++j) {
        const ReplicaInfo& ri = r->second[j];
        o += (j == 0 ? "" : ", ");
        o += "{\"token\": " + Json(ri.token_uri) + ", \"label\": " + Json(UriLabel(ri.token_uri)) +
             ", \"in_rotation\": " + Bool(ri.in_rotation) + "}";
      }
    }
    o += "]}";
  }
  o += in.keys.empty() ? "],\n" : "\n  ],\n";
  o += "  \"client_crls\": [";
  for (size_t i = 0; i < in.crls.size(); ++i) {
    const CrlInfo& c = in.crls[i];
    const bool stale = c.next_update != 0 && c.next_update < in.now_unix;
    o += i == 0 ? "\n" : ",\n";
    o += "    {\"file\": " + Json(c.file) + ", \"issuer\": " + Json(c.issuer) +
         ", \"next_update\": " + Json(Utc(c.next_update)) + ", \"stale\": " + Bool(stale) +
         ", \"revoked\": " + std::to_string(c.revoked) + "}";
  }
  o += in.crls.empty() ? "]\n" : "\n  ]\n";
  o += "}\n";
  return o;
}

StatusPage::StatusPage(KeyPool& pool, AuditLog& audit, std::shared_ptr<const CrlHolder> crls, std::string listen)
    : pool_(pool),
      audit_(audit),
      crls_(std::move(crls)),
      listen_(std::move(listen)),
      started_unix_(NowUnix()) {}

StatusInputs StatusPage::Collect() {
  StatusInputs in;
  in.listen = listen_;
  in.started_unix = started_unix_;
  in.now_unix = NowUnix();
  in.tokens = pool_.Tokens();
  in.keys = pool_.List();
  for (const KeyVersionInfo& k : in.keys) {
    if (!in.primary_versions.count(k.key_name)) {
      auto primary = pool_.Describe(k.key_name, 0);
      if (primary.ok()) in.primary_versions[k.key_name] = primary->version;
    }
    auto replicas = pool_.Replicas(k.key_name, k.version);
    if (replicas.ok() && !replicas->empty()) in.replicas[{k.key_name, k.version}] = std::move(replicas).value();
  }
  in.audit_last_seq = audit_.LastSeq();
  in.audit_healthy = audit_.Healthy();
  if (crls_ != nullptr) {
    if (std::shared_ptr<const CrlSet> set = crls_->Get()) in.crls = set->Describe();
  }
  return in;
}

std::string StatusPage::Render() { return RenderStatusJson(Collect()); }

std::string StatusPage::MetricsText() {
  std::string o;
  if (const std::vector<TokenStatus> tokens = pool_.Tokens(); !tokens.empty()) {
    o += "# HELP signer_token_in_rotation 1 while the PKCS#11 token is in rotation.\n";
    o += "# TYPE signer_token_in_rotation gauge\n";
    for (const TokenStatus& t : tokens) {
      o += "signer_token_in_rotation{token=" + PromLabel(UriLabel(t.uri)) + "} " + (t.healthy ? "1" : "0") + "\n";
    }
    o += "# HELP signer_token_sessions_open PKCS#11 sessions open on the token.\n";
    o += "# TYPE signer_token_sessions_open gauge\n";
    for (const TokenStatus& t : tokens) {
      o += "signer_token_sessions_open{token=" + PromLabel(UriLabel(t.uri)) + "} " + std::to_string(t.sessions_open) + "\n";
    }
    o += "# HELP signer_token_queued Requests waiting for a session on the token.\n";
    o += "# TYPE signer_token_queued gauge\n";
    for (const TokenStatus& t : tokens) {
      o += "signer_token_queued{token=" + PromLabel(UriLabel(t.uri)) + "} " + std::to_string(t.queued) + "\n";
    }
  }
  // Always declared (no samples without client CRLs), so dashboards and
  // alert rules find the metric on every signerd.
  o += "# HELP signer_client_crl_next_update_timestamp_seconds nextUpdate of a client CRL (0: none).\n";
  o += "# TYPE signer_client_crl_next_update_timestamp_seconds gauge\n";
  std::shared_ptr<const CrlSet> set = crls_ != nullptr ? crls_->Get() : nullptr;
  if (set != nullptr && set->size() > 0) {
    for (const CrlInfo& c : set->Describe()) {
      o += "signer_client_crl_next_update_timestamp_seconds{file=" + PromLabel(c.file) + "} " +
           std::to_string(static_cast<int64_t>(c.next_update)) + "\n";
    }
  }
  return o;
}

}  // namespace pki::signer
