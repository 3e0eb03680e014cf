// metrics_status.h — signerd's status page: GET /status on the loopback
// metrics listener, read by `signerctl status`.
//
// One JSON object (schema "signerd-status/1"; fields are only ever added):
//   server:      listen address, start time, time of the report
//   audit:       healthy (accepts records), last_seq (last durable record)
//   tokens[]:    uri, label, module, slot, state ("in-rotation" or
//                "out-of-rotation"), since (when signerd saw it enter that
//                state, to within the health refresh), reason (class of the
//                failure that took it out: device|login|session|timeout|other;
//                "" in rotation), last_error (with its CKR_ name), sessions
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
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/audit_log.h"
#include "server/revocation.h"
#include "signer/key_pool.h"
#include "signer/pkcs11_pool.h"

namespace pki::signer {

// ReasonClass maps a token's last error ("token a: C_Sign: CKR_DEVICE_ERROR")
// to a stable class: "device", "login", "session", "timeout" or "other".
std::string_view ReasonClass(std::string_view last_error);

// TokenTracker remembers, per token URI, since when signerd has seen the
// token in or out of rotation and, when out, the reason class and error that
// took it out. Thread-safe.
class TokenTracker final {
 public:
  struct State {
    bool in_rotation = true;
    int64_t since_unix = 0;
    std::string reason;      // "" while in rotation
    std::string why;         // last_error when it went out
  };
  // Observe folds |tokens| (borrowed) in at |now_unix|; returns their states
  // in the same order.
  std::vector<State> Observe(const std::vector<TokenStatus>& tokens, int64_t now_unix);

 private:
  std::mutex mu_;
  std::map<std::string, State> states_;
};

// Everything the page shows, gathered at one moment.
struct StatusInputs {
  std::string listen;
  int64_t started_unix = 0;
  int64_t now_unix = 0;
  std::vector<TokenStatus> tokens;
  std::vector<TokenTracker::State> token_states;  // parallel to tokens
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
  // be null). Tokens are shown when |pool| is a Pkcs11Pool.
  StatusPage(KeyPool& pool, AuditLog& audit, std::shared_ptr<const CrlHolder> crls, std::string listen);

  // Refresh observes the tokens' states now (the server's health loop calls
  // it, which bounds the error of "since").
  void Refresh();
  // Render refreshes and returns the JSON page.
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
  Pkcs11Pool* tokens_;  // &pool_ if it is a Pkcs11Pool, else null
  AuditLog& audit_;
  std::shared_ptr<const CrlHolder> crls_;
  std::string listen_;
  int64_t started_unix_;
  TokenTracker tracker_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_METRICS_STATUS_H_
