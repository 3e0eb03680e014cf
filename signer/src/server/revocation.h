// revocation.h — refusing client certificates revoked by a configured CRL.
//
// The CRLs configured with each client CA (server.tls.client_cas[].crl_file)
// are applied in the TLS handshake by the credentials' certificate verifier
// (tls_credentials.h), and again per request by the service, which catches a
// connection opened before a SIGHUP brought a newer CRL.
//
// A CRL past its nextUpdate is handled fail-closed: a client whose issuer's
// CRLs are all stale is refused ("client CRL past its nextUpdate")
// until a fresh CRL is loaded (SIGHUP), and one line naming the file goes to
// stderr at most once a minute per file. Clients of other CAs are unaffected.
// See docs/decisions.md ("Client CRLs at the TLS handshake").
#ifndef PKI_SIGNER_SERVER_REVOCATION_H_
#define PKI_SIGNER_SERVER_REVOCATION_H_

#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status_or.h"
#include "common/ossl.h"
#include "config/config.h"

namespace pki::signer {

// What an operator may see about one loaded CRL (signerctl status).
struct CrlInfo {
  std::string file;
  std::string issuer;           // RFC 2253
  std::time_t next_update = 0;  // 0: none
  size_t revoked = 0;           // entries listed
};

class CrlSet final {
 public:
  // Load reads every CA bundle and CRL of |cas| (borrowed). Each CRL must be
  // signed by a CA of its bundle: INVALID_ARGUMENT naming the file if not or
  // if a file does not parse. A CRL already past its nextUpdate loads (so a
  // reload can still bring other CAs' CRLs) and is logged; its CA's clients
  // are refused until a fresh one is loaded. Returns a new set the caller owns.
  static StatusOr<std::unique_ptr<CrlSet>> Load(const std::vector<ClientCaConfig>& cas);

  // Check returns UNAUTHENTICATED "client certificate revoked" if |cert|
  // (borrowed) is listed by a CRL of its issuer, UNAUTHENTICATED "client CRL
  // past its nextUpdate" if every CRL of its issuer is stale at
  // |now|, OK otherwise (also when its issuer has no CRL configured).
  Status Check(X509& cert, std::time_t now) const;
  Status Check(X509& cert) const { return Check(cert, std::time(nullptr)); }

  size_t size() const { return crls_.size(); }

  // Describe returns one CrlInfo per loaded CRL, in configuration order.
  std::vector<CrlInfo> Describe() const;

 private:
  struct Entry {
    OsslPtr<X509_CRL> crl;
    std::string file;
    std::string issuer_key_id;  // SKI of the CA that signed it; "" if it has none
    std::time_t next_update = 0;  // 0: the CRL has no nextUpdate
    mutable std::atomic<std::time_t> last_stale_log{0};
  };
  CrlSet() = default;
  // LogStale writes the stale-CRL line for |e| unless written in the last minute.
  static void LogStale(const Entry& e, std::time_t now);

  std::vector<std::unique_ptr<Entry>> crls_;
};

// CrlHolder is the current CrlSet, swapped whole on reload and read by the
// handshake verifier on grpc's threads. Thread-safe.
class CrlHolder final {
 public:
  explicit CrlHolder(std::shared_ptr<const CrlSet> crls) : crls_(std::move(crls)) {}
  // Get returns the current set (may be null: no CRL configured).
  std::shared_ptr<const CrlSet> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return crls_;
  }
  // Set replaces the set for handshakes starting from now.
  void Set(std::shared_ptr<const CrlSet> crls) {
    std::lock_guard<std::mutex> lock(mu_);
    crls_ = std::move(crls);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const CrlSet> crls_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_REVOCATION_H_
