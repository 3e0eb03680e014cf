// metrics_status.h — signerd's status page: GET /status on the loopback
// metrics listener, read by `signerctl status`.
//
// One JSON object (schema "signerd-status/1"; fields are only ever added):
//   server:      listen address, start time, time of the report
//   audit:       healthy (accepts records), last_seq (last durable record)
//   tokens[]:    uri, label, module, slot, state ("in-rotation" or
//                "out-of-rotation"), since (when the pool put it in that state:
//                pool start, or the moment it left or rejoined rotation),
//                reason (class of the failure that took it out, recorded by
//                the pool: device|login|session|timeout|other; "" in
//                rotation), last_error (with its CKR_ name), sessions
//                open/max, queued, signatures, failures, reinitializations
//   keys[]:      name, version, primary, purpose, health
//                (enabled|degraded|unavailable), replicas healthy/total, the
//                replicas (token uri, in rotation) when the pool tells, key
//                certificate notAfter
//   client_crls[]: file, issuer, next_update, stale, revoked (entry count)
// Times are RFC 3339 UTC strings. Nothing secret: no PIN, no key material,
// no client identity.
#ifndef PKI_SIGNER_SERVER_METRICS_STATUS_H_
#define PKI_SIGNER_SERVER_METRICS_STATUS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/audit_log.h"
#include "server/revocation.h"
#include "signer/key_pool.h"

namespace pki::signer {

// Everything the page shows, gathered at one moment.
struct StatusInputs {
  std::string listen;
  int64_t started_unix = 0;
  int64_t now_unix = 0;
  std::vector<TokenStatus> tokens;
  std::vector<KeyVersionInfo> keys;
  std::map<std::string, uint32_t> primary_versions;  // key name -> primary version
  std::map<std::pair<std::string, uint32_t>, std::vector<ReplicaInfo>> replicas;
  uint64_t audit_last_seq = 0;
  bool audit_healthy = false;
  std::vector<CrlInfo> crls;
};

// RenderStatusJson returns the page for |in| (borrowed). Never fails.
std::string RenderStatusJson(const StatusInputs& in);

// StatusPage gathers the inputs from the running daemon's parts.
class StatusPage final {
 public:
  // Borrows |pool| and |audit| (must outlive the page); shares |crls| (may
  // be null). Tokens are whatever |pool|'s KeyPool::Tokens() reports.
  StatusPage(KeyPool& pool, AuditLog& audit, std::shared_ptr<const CrlHolder> crls, std::string listen);

  // Render returns the JSON page (the pool records since/reason itself at
  // each transition).
  std::string Render();
  // MetricsText returns Prometheus gauges for what /metrics lacks:
  // signer_token_in_rotation, signer_token_sessions_open and
  // signer_token_queued {token="<label>"}, and
  // signer_client_crl_next_update_timestamp_seconds {file="<path>"} (alert on
  // it before a CRL goes stale and its clients are refused).
  std::string MetricsText();

 private:
  StatusInputs Collect();

  KeyPool& pool_;
  AuditLog& audit_;
  std::shared_ptr<const CrlHolder> crls_;
  std::string listen_;
  int64_t started_unix_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_METRICS_STATUS_H_
