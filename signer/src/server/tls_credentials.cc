#include "server/tls_credentials.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/x509.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/secret.h"
#include "common/file.h"
#include "common/pem.h"

namespace pki::signer {
namespace {

constexpr size_t kMaxTlsFile = 1u << 20;

std::string SubjectOf(X509& cert) {
  char buf[256];
  X509_NAME_oneline(X509_get_subject_name(&cert), buf, sizeof(buf));
  return buf;
}

// ClientCrlVerifier runs after OpenSSL has verified the client's chain to a
// configured CA: it refuses the handshake if the leaf is revoked by, or its
// CA's CRLs are past nextUpdate in, the holder's current CrlSet. Synchronous
// (a CRL lookup is a binary search in memory).
class ClientCrlVerifier final : public grpc::experimental::ExternalCertificateVerifier {
 public:
  explicit ClientCrlVerifier(std::shared_ptr<CrlHolder> crls) : crls_(std::move(crls)) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/, grpc::Status* sync_status) override {
    std::shared_ptr<const CrlSet> crls = crls_->Get();
    if (crls == nullptr || crls->size() == 0) {
      *sync_status = grpc::Status::OK;
      return true;
    }
    const grpc::string_ref pem = request->peer_cert();
    auto certs = ParseCertificates(std::string_view(pem.data(), pem.size()));
    if (!certs.ok() || certs->empty()) {
      std::fprintf(stderr, "signerd: tls: refused a client: its certificate could not be read for the CRL check\n");
      *sync_status = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "client certificate unreadable");
      return true;
    }
    X509& leaf = *certs->front();
    Status s = crls->Check(leaf);
    if (!s.ok()) {
      const std::string why(s.message());
      std::fprintf(stderr, "signerd: tls: refused client %s: %s\n", SubjectOf(leaf).c_str(), why.c_str());
      *sync_status = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, why);
      return true;
    }
    *sync_status = grpc::Status::OK;
    return true;
  }

  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest* /*request*/) override {}

 private:
  std::shared_ptr<CrlHolder> crls_;
};

}  // namespace

StatusOr<std::shared_ptr<grpc::ServerCredentials>> BuildServerCredentials(const ServerConfig& config,
                                                                         std::shared_ptr<CrlHolder> crls) {
  if (config.client_cas.empty()) return InvalidArgumentError("server: no client CA configured");
  if (crls == nullptr) return InvalidArgumentError("server: no CRL holder");
  std::string roots;
  for (const ClientCaConfig& ca : config.client_cas) {
    PKI_ASSIGN_OR_RETURN(std::string pem, ReadFile(ca.ca_file, kMaxTlsFile));
    if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return InvalidArgumentError("server: no PEM certificate in ").Append(ca.ca_file);
    }
    roots += pem;
    if (roots.back() != '\n') roots += '\n';
  }
  std::vector<grpc::experimental::IdentityKeyCertPair> pairs(1);
  grpc::experimental::IdentityKeyCertPair& pair = pairs[0];
  PKI_ASSIGN_OR_RETURN(pair.certificate_chain, ReadFile(config.cert_file, kMaxTlsFile));
  PKI_ASSIGN_OR_RETURN(pair.private_key, ReadFile(config.key_file, kMaxTlsFile));

  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  if (config.tls_watch_interval_s > 0) {
    if (config.client_cas.size() != 1) {
      SecureZero(pair.private_key.data(), pair.private_key.size());
      return InvalidArgumentError("server: watching TLS files needs exactly one client CA bundle");
    }
    // The files were read above, so they exist; from now on grpc re-reads
    // them every interval (a renewed certificate applies to new handshakes,
    // open connections stay up).
    provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        config.key_file, config.cert_file, config.client_cas[0].ca_file, config.tls_watch_interval_s);
  } else {
    provider = std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
        roots, pairs);
  }
  // Keep the private key out of memory we no longer need (grpc holds its own copy).
  SecureZero(pair.private_key.data(), pair.private_key.size());

  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.set_certificate_verifier(
      grpc::experimental::ExternalCertificateVerifier::Create<ClientCrlVerifier>(std::move(crls)));
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::experimental::TlsServerCredentials(tls);
  if (creds == nullptr) return InternalError("server: grpc refused the TLS credentials options");
  return creds;
}

}  // namespace pki::signer
