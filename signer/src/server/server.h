// server.h — signerd's gRPC server: mutual TLS, the Signer service, the
// standard health service with one entry per key, and metrics.
//
// TLS: see tls_credentials.h. Mutual TLS required and verified; a client
// without a certificate, with one from another CA, expired, or revoked by a
// configured CRL (or whose CA's CRL is past nextUpdate) fails the handshake.
// ReloadCrls applies to new handshakes and, through the service, to requests
// on connections already open (see revocation.h).
//
// Health: grpc.health.v1.Health with "" (overall: the audit log accepts
// records) and one service name per key (NOT_SERVING while the key's primary
// version is unavailable in the pool), refreshed every health_refresh.
#ifndef PKI_SIGNER_SERVER_SERVER_H_
#define PKI_SIGNER_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "audit/audit_log.h"
#include "config/config.h"
#include "server/metrics.h"
#include "server/metrics_http.h"
#include "server/metrics_status.h"
#include "server/policy_holder.h"
#include "server/revocation.h"
#include "server/service.h"
#include "signer/key_pool.h"

namespace pki::signer {

class SignerServer final {
 public:
  // Start builds credentials from |config| (borrowed; files read now),
  // registers the service over |pool| and |audit| (borrowed; must outlive the
  // server) with |policy|, and starts listening. INVALID_ARGUMENT/NOT_FOUND
  // for unreadable TLS files or CRLs, UNAVAILABLE if the address can't be
  // bound. Returns a running server the caller owns.
  // |issuance| (may be null: IssueCertificate answers FAILED_PRECONDITION)
  // is the engine bundle from BuildIssuance.
  static StatusOr<std::unique_ptr<SignerServer>> Start(const ServerConfig& config, KeyPool& pool,
                                                       AuditLog& audit, std::shared_ptr<const Policy> policy,
                                                       std::shared_ptr<IssuanceBundle> issuance = nullptr);
  ~SignerServer();

  // The bound port (the chosen one if the config asked for port 0).
  int port() const { return port_; }
  // "host:port" with the bound port.
  std::string address() const;
  // The metrics port (GET /metrics, GET /status), or 0 if metrics are off.
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }

  // ReloadPolicy swaps in |policy| for requests starting from now.
  void ReloadPolicy(std::shared_ptr<const Policy> policy);
  // ReloadIssuance swaps in |issuance| (may be null) for requests starting now.
  void ReloadIssuance(std::shared_ptr<IssuanceBundle> issuance) { issuance_.Set(std::move(issuance)); }
  // ReloadCrls re-reads the CRL files of |config|; on error keeps the old ones.
  Status ReloadCrls(const ServerConfig& config);

  // RefreshHealth sets every health entry from the pool now.
  void RefreshHealth();

  // Shutdown stops accepting calls, lets in-flight calls finish for up to
  // |grace|, then cancels what is left. Idempotent.
  void Shutdown(std::chrono::milliseconds grace);

  const Metrics& metrics() const { return metrics_data_; }

 private:
  SignerServer(const ServerConfig& config, KeyPool& pool, AuditLog& audit,
               std::shared_ptr<const Policy> policy, std::shared_ptr<IssuanceBundle> issuance);
  void HealthLoop();

  ServerConfig config_;
  KeyPool& pool_;
  AuditLog& audit_;
  PolicyHolder policy_;
  IssuanceHolder issuance_;
  Metrics metrics_data_;
  std::shared_ptr<CrlHolder> crls_;  // read by the TLS certificate verifier
  std::unique_ptr<SignerService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<StatusPage> status_;  // GET /status; null if metrics are off
  std::unique_ptr<MetricsHttpServer> metrics_;
  int port_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread health_thread_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_SERVER_H_
