// revocation.h — refusing client certificates revoked by a configured CRL.
//
// grpc's SslServerCredentials verifies the client chain but takes no CRL, so
// the service checks the verified leaf against the CRLs configured with each
// client CA (server.tls.client_cas[].crl_file) before any policy decision.
#ifndef PKI_SIGNER_SERVER_REVOCATION_H_
#define PKI_SIGNER_SERVER_REVOCATION_H_

#include <memory>
#include <vector>

#include "base/status_or.h"
#include "common/ossl.h"
#include "config/config.h"

namespace pki::signer {

class CrlSet final {
 public:
  // Load reads every CA bundle and CRL of |cas| (borrowed). Each CRL must be
  // signed by a CA of its bundle: INVALID_ARGUMENT naming the file if not or
  // if a file does not parse. Returns a new set the caller owns.
  static StatusOr<std::unique_ptr<CrlSet>> Load(const std::vector<ClientCaConfig>& cas);

  // Check returns UNAUTHENTICATED "client certificate revoked" if |cert|
  // (borrowed) is listed by a CRL of its issuer; OK otherwise.
  Status Check(X509& cert) const;

  size_t size() const { return crls_.size(); }

 private:
  CrlSet() = default;
  std::vector<OsslPtr<X509_CRL>> crls_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_REVOCATION_H_
