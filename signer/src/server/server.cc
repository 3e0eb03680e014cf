#include "server/server.h"

#include <grpcpp/health_check_service_interface.h>

#include <set>

#include "server/tls_credentials.h"

namespace pki::signer {

SignerServer::SignerServer(const ServerConfig& config, KeyPool& pool, AuditLog& audit,
                           std::shared_ptr<const Policy> policy, std::shared_ptr<IssuanceBundle> issuance)
    : config_(config), pool_(pool), audit_(audit), policy_(std::move(policy)), issuance_(std::move(issuance)) {}

StatusOr<std::unique_ptr<SignerServer>> SignerServer::Start(const ServerConfig& config, KeyPool& pool,
                                                            AuditLog& audit,
                                                            std::shared_ptr<const Policy> policy,
                                                            std::shared_ptr<IssuanceBundle> issuance) {
  if (policy == nullptr) return InvalidArgumentError("server: no policy");
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<CrlSet> loaded, CrlSet::Load(config.client_cas));
  std::shared_ptr<const CrlSet> crls(std::move(loaded));
  auto crl_holder = std::make_shared<CrlHolder>(crls);
  PKI_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> creds, BuildServerCredentials(config, crl_holder));

  std::unique_ptr<SignerServer> s(new SignerServer(config, pool, audit, std::move(policy), std::move(issuance)));
  ServiceDeps deps;
  deps.pool = &pool;
  deps.audit = &audit;
  deps.policy = &s->policy_;
  deps.metrics = &s->metrics_data_;
  deps.crls = crls->size() > 0 ? crls : nullptr;
  deps.sign_deadline = config.sign_deadline;
  deps.issuance = &s->issuance_;
  s->service_ = std::make_unique<SignerService>(std::move(deps));
  s->crls_ = std::move(crl_holder);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, creds, &s->port_);
  builder.RegisterService(s->service_.get());
  builder.SetMaxReceiveMessageSize(256 * 1024);  // a 64 KiB message plus framing, nothing larger
  // Sync-server threads: a handler blocks in the HSM call and the audit
  // fdatasync, so one thread is busy per call in flight. The sync server
  // starts a thread whenever fewer than MIN_POLLERS are left polling, and
  // ends a handler's thread when it returns while MAX_POLLERS others are
  // already idle. With 64 (and grpc's default of 2 even more so), a burst
  // of a few hundred calls in flight (a group commit releases ~100 at once)
  // ended and restarted threads all the time: 1 new thread per 3 Sign calls
  // at 16 connections x 16 in flight, ~25% of the throughput. Idle threads
  // are kept up to kMaxIdleThreads (each costs its stack; there is one per
  // call in flight anyway) and no thread is started or ended in steady state.
  constexpr int kMaxIdleThreads = 512;
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxIdleThreads);
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    return UnavailableError("server: cannot listen on ").Append(config.listen);
  }
  s->RefreshHealth();
  if (!config.metrics_listen.empty()) {
    SignerServer* raw = s.get();
    raw->status_ = std::make_unique<StatusPage>(pool, audit, raw->crls_, raw->address());
    std::vector<HttpRoute> routes;
    routes.push_back({"/metrics", "text/plain; version=0.0.4", [raw] {
                        return raw->metrics_data_.Render(raw->pool_.List(), raw->audit_.LastSeq(),
                                                         raw->audit_.Healthy()) +
                               raw->status_->MetricsText();
                      }});
    routes.push_back({"/status", "application/json", [raw] { return raw->status_->Render(); }});
    auto m = MetricsHttpServer::Start(config.metrics_listen, std::move(routes));
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
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<CrlSet> loaded, CrlSet::Load(config.client_cas));
  std::shared_ptr<const CrlSet> crls(std::move(loaded));
  crls_->Set(crls);  // handshakes from now on
  service_->SetCrls(crls->size() > 0 ? crls : nullptr);  // requests on connections already open
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
