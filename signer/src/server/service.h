// service.h — the Signer gRPC service: Sign, GetPublicKey, ListKeys.
//
// Per request: identify the verified TLS peer (URI SAN, DNS SAN, subject;
// revoked certificates refused), apply the client's rate limit, authorize
// against the policy, validate the input, call the pool, journal the request
// durably, and only then answer. Every request is journaled, whatever its
// outcome; a result that can't be journaled is withheld (UNAVAILABLE).
// Server setup (credentials, health, threads) lives in server.h.
#ifndef PKI_SIGNER_SERVER_SERVICE_H_
#define PKI_SIGNER_SERVER_SERVICE_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "audit/audit_log.h"
#include "common/ossl.h"
#include "policy/policy.h"
#include "server/errors.h"
#include "server/issuance_setup.h"
#include "server/metrics.h"
#include "server/policy_holder.h"
#include "server/revocation.h"
#include "server/sign_request_check.h"
#include "signer/key_pool.h"
#include "signer/v1/signer.grpc.pb.h"

namespace pki::signer {

struct ServiceDeps {
  KeyPool* pool = nullptr;           // borrowed; outlives the service
  AuditLog* audit = nullptr;         // borrowed
  PolicyHolder* policy = nullptr;    // borrowed
  Metrics* metrics = nullptr;        // borrowed; may be null
  std::shared_ptr<const CrlSet> crls;  // may be null (no CRLs)
  std::chrono::milliseconds sign_deadline{5000};
  IssuanceHolder* issuance = nullptr;  // borrowed; may be null (IssueCertificate off)
};

class SignerService final : public v1::Signer::Service {
 public:
  // Borrows everything in |deps| (see ServiceDeps); pool, audit and policy
  // must be non-null.
  explicit SignerService(ServiceDeps deps);

  grpc::Status Sign(grpc::ServerContext* ctx, const v1::SignRequest* req, v1::SignResponse* resp) override;
  grpc::Status GetPublicKey(grpc::ServerContext* ctx, const v1::GetPublicKeyRequest* req,
                            v1::GetPublicKeyResponse* resp) override;
  grpc::Status ListKeys(grpc::ServerContext* ctx, const v1::ListKeysRequest* req,
                        v1::ListKeysResponse* resp) override;
  grpc::Status IssueCertificate(grpc::ServerContext* ctx, const v1::IssueCertificateRequest* req,
                                v1::IssueCertificateResponse* resp) override;

  // SetCrls replaces the revocation lists (SIGHUP reload).
  void SetCrls(std::shared_ptr<const CrlSet> crls);

 private:
  struct Caller;
  // A verified peer certificate parsed once per distinct PEM (grpc hands the
  // same PEM on every call of a connection; parsing it costs more than the
  // signature). Revocation and the policy are still checked on every call.
  struct PeerCert {
    OsslPtr<X509> cert;
    PeerIdentity identity;
    bool identity_ok = false;  // false: OpenSSL could not read the identity
  };
  static constexpr size_t kPeerCacheMax = 1024;  // distinct client certificates kept
  // PeerFor returns the parsed certificate for |pem| (cached), or null if it
  // does not parse.
  std::shared_ptr<const PeerCert> PeerFor(std::string_view pem);
  // Authenticate identifies the peer of |ctx| and takes a rate-limit token.
  ApiError Authenticate(grpc::ServerContext& ctx, Caller& out_caller);
  ApiError DoIssue(Caller& caller, const v1::IssueCertificateRequest& req,
                   std::chrono::milliseconds deadline, v1::IssueCertificateResponse& resp,
                   AuditRecord& rec);
  ApiError DoSign(Caller& caller, const v1::SignRequest& req, std::chrono::milliseconds deadline,
                  v1::SignResponse& resp, AuditRecord& rec);
  // Finish journals |rec| with |error|'s outcome and returns what to answer;
  // |out_audit_id| gets the id on success.
  grpc::Status Finish(const char* method, ApiError error, AuditRecord& rec,
                      std::chrono::steady_clock::time_point start, std::string* out_audit_id);

  ServiceDeps deps_;
  mutable std::mutex crl_mu_;
  std::mutex peer_mu_;
  std::unordered_map<std::string, std::shared_ptr<const PeerCert>> peers_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_SERVICE_H_
