// tls_credentials.h — signerd's mutual-TLS server credentials.
//
// Always grpc's TlsServerCredentials with
// GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY:
//   - identity and client CA roots from a StaticDataCertificateProvider (files
//     read once), or from a FileWatcherCertificateProvider re-reading them
//     every tls.watch_interval_s (exactly one client CA bundle then);
//   - a certificate verifier that, after OpenSSL has verified the client's
//     chain, checks its leaf against the configured client CRLs (CrlSet) held
//     in a CrlHolder, so a revoked client — or one whose CA's CRL is past its
//     nextUpdate — fails the handshake. Reloading the holder (SIGHUP) applies
//     to handshakes from then on.
// A client without a certificate, with one from another CA or an expired one
// fails in OpenSSL's handshake as before.
#ifndef PKI_SIGNER_SERVER_TLS_CREDENTIALS_H_
#define PKI_SIGNER_SERVER_TLS_CREDENTIALS_H_

#include <grpcpp/security/server_credentials.h>

#include <memory>

#include "base/status_or.h"
#include "config/config.h"
#include "server/revocation.h"

namespace pki::signer {

// BuildServerCredentials reads the TLS files of |config| (borrowed for the
// call) and returns credentials that check client leaves against |crls|
// (shared; kept alive by the credentials). INVALID_ARGUMENT when no client CA
// is configured, a CA file has no PEM certificate, or watching is asked with
// more than one client CA bundle; NOT_FOUND/PERMISSION_DENIED for files that
// can't be read. The private key's copy read here is zeroized before return.
StatusOr<std::shared_ptr<grpc::ServerCredentials>> BuildServerCredentials(const ServerConfig& config,
                                                                         std::shared_ptr<CrlHolder> crls);

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_TLS_CREDENTIALS_H_
