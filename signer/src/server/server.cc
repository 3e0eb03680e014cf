#include "server/server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <set>

#include "common/file.h"

namespace pki::signer {

SignerServer::SignerServer(const ServerConfig& config, KeyPool& pool, AuditLog& audit,
                           std::shared_ptr<const Policy> policy, std::shared_ptr<IssuanceBundle> issuance)
    : config_(config), pool_(pool), audit_(audit), policy_(std::move(policy)), issuance_(std::move(issuance)) {}

StatusOr<std::unique_ptr<SignerServer>> SignerServer::Start(const ServerConfig& config, KeyPool& pool,
                                                            AuditLog& audit,
                                                            std::shared_ptr<const Policy> policy,
                                                            std::shared_ptr<IssuanceBundle> issuance) {
  if (policy == nullptr) return InvalidArgumentError("server: no policy");
  if (config.client_cas.empty()) return InvalidArgumentError("server: no client CA configured");
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  for (const ClientCaConfig& ca : config.client_cas) {
    PKI_ASSIGN_OR_RETURN(std::string pem, ReadFile(ca.ca_file, 1u << 20));
    if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return InvalidArgumentError("server: no PEM certificate in ").Append(ca.ca_file);
    }
    ssl.pem_root_certs += pem;
    if (!ssl.pem_root_certs.empty() && ssl.pem_root_certs.back() != '\n') ssl.pem_root_certs += '\n';
  }
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  PKI_ASSIGN_OR_RETURN(pair.cert_chain, ReadFile(config.cert_file, 1u << 20));
  PKI_ASSIGN_OR_RETURN(pair.private_key, ReadFile(config.key_file, 1u << 20));
  ssl.pem_key_cert_pairs.push_back(std::move(pair));

  PKI_ASSIGN_OR_RETURN(std::unique_ptr<CrlSet> crls, CrlSet::Load(config.client_cas));

  std::unique_ptr<SignerServer> s(new SignerServer(config, pool, audit, std::move(policy), std::move(issuance)));
  ServiceDeps deps;
  deps.pool = &pool;
  deps.audit = &audit;
  deps.policy = &s->policy_;
  deps.metrics = &s->metrics_data_;
  deps.crls = crls->size() > 0 ? std::shared_ptr<const CrlSet>(std::move(crls)) : nullptr;
  deps.sign_deadline = config.sign_deadline;
  deps.issuance = &s->issuance_;
  s->service_ = std::make_unique<SignerService>(std::move(deps));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> creds;
  if (config.tls_watch_interval_s > 0) {
    if (config.client_cas.size() != 1) {
      return InvalidArgumentError("server: watching TLS files needs exactly one client CA bundle");
    }
    // The files were read above, so they exist and parse; from now on grpc
    // re-reads them every interval (a renewed certificate applies to new
    // handshakes, open connections stay up).
    auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        config.key_file, config.cert_file, config.client_cas[0].ca_file, config.tls_watch_interval_s);
    grpc::experimental::TlsServerCredentialsOptions tls(provider);
    tls.watch_root_certs();
    tls.watch_identity_key_cert_pairs();
    tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    creds = grpc::experimental::TlsServerCredentials(tls);
  } else {
    creds = grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort(config.listen, creds, &s->port_);
  // Keep the private key out of memory we no longer need.
  SecureZero(ssl.pem_key_cert_pairs[0].private_key.data(), ssl.pem_key_cert_pairs[0].private_key.size());
  builder.RegisterService(s->service_.get());
  builder.SetMaxReceiveMessageSize(256 * 1024);  // a 64 KiB message plus framing, nothing larger
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    return UnavailableError("server: cannot listen on ").Append(config.listen);
  }
  s->RefreshHealth();
  if (!config.metrics_listen.empty()) {
    SignerServer* raw = s.get();
    auto m = MetricsHttpServer::Start(config.metrics_listen, [raw] {
      return raw->metrics_data_.Render(raw->pool_.List(), raw->audit_.LastSeq(), raw->audit_.Healthy());
    });
    if (!m.ok()) {
      s->Shutdown(std::chrono::milliseconds(0));
      return m.status();
    }
    s->metrics_ = std::move(m).value();
  }
  s->health_thread_ = std::thread([raw = s.get()] { raw->HealthLoop(); });
  return s;
}

SignerServer::~SignerServer() { Shutdown(std::chrono::milliseconds(0)); }

std::string SignerServer::address() const {
  const size_t colon = config_.listen.rfind(':');
  return config_.listen.substr(0, colon) + ":" + std::to_string(port_);
}

void SignerServer::ReloadPolicy(std::shared_ptr<const Policy> policy) { policy_.Set(std::move(policy)); }

Status SignerServer::ReloadCrls(const ServerConfig& config) {
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<CrlSet> crls, CrlSet::Load(config.client_cas));
  service_->SetCrls(crls->size() > 0 ? std::shared_ptr<const CrlSet>(std::move(crls)) : nullptr);
  return OkStatus();
}

void SignerServer::RefreshHealth() {
  grpc::HealthCheckServiceInterface* health = server_ ? server_->GetHealthCheckService() : nullptr;
  if (health == nullptr) return;
  std::map<std::string, bool> serving;
  for (const KeyVersionInfo& v : pool_.List()) {
    auto primary = pool_.Describe(v.key_name, 0);
    if (primary.ok() && primary->version == v.version) {
      serving[v.key_name] = v.health != KeyHealth::kUnavailable;
    } else {
      serving.try_emplace(v.key_name, false);
    }
  }
  for (const auto& [name, ok] : serving) health->SetServingStatus(name, ok);
  health->SetServingStatus("", audit_.Healthy());
}

void SignerServer::HealthLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, config_.health_refresh, [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    RefreshHealth();
    lock.lock();
  }
}

void SignerServer::Shutdown(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !health_thread_.joinable() && server_ == nullptr) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (health_thread_.joinable()) health_thread_.join();
  if (server_ != nullptr) {
    if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
    server_->Shutdown(std::chrono::system_clock::now() + grace);
    server_->Wait();
    server_.reset();
  }
  metrics_.reset();
}

}  // namespace pki::signer
