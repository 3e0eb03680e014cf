#include "pool.h"

#include <cstdio>

#include "errors.h"

namespace pki::signer::internal {
namespace {

using Clock = std::chrono::steady_clock;

// Used when a caller passes no deadline (0 or negative).
constexpr std::chrono::milliseconds kDefaultDeadline{10000};

std::string TokenDetail(const Token& token, std::string_view what) {
  std::string out = "token ";
  out += token.label();
  out += ": ";
  out += what;
  return out;
}

}  // namespace

void Log(std::string_view level, std::string_view message) {
  std::fprintf(stderr, "signer-pkcs11: %.*s: %.*s\n", static_cast<int>(level.size()),
               level.data(), static_cast<int>(message.size()), message.data());
}

std::unique_ptr<PoolImpl> PoolImpl::Start(PoolParts parts) {
  std::unique_ptr<PoolImpl> pool(new PoolImpl(std::move(parts)));
  pool->health_ = std::thread([p = pool.get()] { p->HealthLoop(); });
  return pool;
}

PoolImpl::~PoolImpl() {
  {
    std::lock_guard<std::mutex> lock(health_mu_);
    stop_ = true;
  }
  health_cv_.notify_all();
  if (health_.joinable()) health_.join();
  parts_.keys.clear();
  parts_.tokens.clear();   // joins the workers
  parts_.modules.clear();  // C_Finalize with the last user
}

StatusOr<KeyVersion*> PoolImpl::Find(std::string_view name, uint32_t version) {
  auto it = parts_.keys.find(name);
  if (it == parts_.keys.end()) {
    return NotFoundError("no key named '").Append(name.substr(0, 64)).Append("'");
  }
  uint32_t v = version == 0 ? it->second.primary_version : version;
  auto vit = it->second.versions.find(v);
  if (vit == it->second.versions.end()) {
    return NotFoundError("key '").Append(name.substr(0, 64)).Append("' has no version ").AppendNumber(v);
  }
  return vit->second.get();
}

int PoolImpl::PickReplica(KeyVersion& kv, const std::vector<uint8_t>& tried) {
  size_t n = kv.replicas.size();
  size_t start = kv.round_robin.fetch_add(1) % n;
  int best = -1;
  uint32_t best_load = 0;
  for (size_t k = 0; k < n; ++k) {
    size_t i = (start + k) % n;
    if (tried[i] != 0 || !kv.replicas[i].token->healthy()) continue;
    uint32_t load = kv.replicas[i].token->load();
    if (best < 0 || load < best_load) {
      best = static_cast<int>(i);
      best_load = load;
    }
  }
  return best;
}

StatusOr<SignResult> PoolImpl::Sign(std::string_view name, uint32_t version, SignAlgorithm alg,
                                    ByteSpan input, std::chrono::milliseconds deadline,
                                    std::string* out_detail) {
  const Clock::time_point begin = Clock::now();
  PKI_ASSIGN_OR_RETURN(KeyVersion * kv, Find(name, version));
  const KeyVersionInfo& info = kv->info;
  bool can = false;
  for (SignAlgorithm a : info.algorithms) can = can || a == alg;
  if (!can) {
    return InvalidArgumentError("key '")
        .Append(info.key_name)
        .Append("' version ")
        .AppendNumber(info.version)
        .Append(" cannot sign with ")
        .Append(AlgorithmName(alg));
  }
  PKI_ASSIGN_OR_RETURN(SignPlan plan, PlanSignature(alg, input));
  const Clock::time_point finish_by = begin + (deadline.count() > 0 ? deadline : kDefaultDeadline);

  const size_t n = kv->replicas.size();
  std::vector<uint8_t> tried(n, 0);
  std::vector<uint8_t> relogged(n, 0);
  bool saw_busy = false;
  for (size_t attempt = 0; attempt < 2 * n + 2; ++attempt) {
    int idx = PickReplica(*kv, tried);
    if (idx < 0) break;
    Replica& replica = kv->replicas[static_cast<size_t>(idx)];
    Token& token = *replica.token;
    Clock::time_point start_by = std::min(finish_by, Clock::now() + parts_.session_wait);
    SessionPool::Result r = token.Sign(replica.key_index, plan, start_by, finish_by);
    switch (r.kind) {
      case SessionPool::Result::Kind::kNoSession:
        saw_busy = true;
        tried[static_cast<size_t>(idx)] = 1;
        AppendDetail(out_detail, TokenDetail(token, "no session free in time"));
        continue;
      case SessionPool::Result::Kind::kTimedOut: {
        std::string why = TokenDetail(token, "C_Sign did not return by the deadline");
        AppendDetail(out_detail, why);
        if (token.MarkFailed(why, "timeout")) Log("warning", why + "; out of rotation");
        return DeadlineExceededError("key '").Append(info.key_name).Append("': the HSM did not answer in time");
      }
      case SessionPool::Result::Kind::kStopped:
        return UnavailableError("the HSM pool is shutting down");
      case SessionPool::Result::Kind::kDone:
        break;
    }
    if (r.rv == CKR_OK) {
      PKI_ASSIGN_OR_RETURN(std::string sig, FinishSignature(plan, std::move(r.output)));
      token.RecordSuccess();
      SignResult result;
      result.signature = std::move(sig);
      result.version = info.version;
      result.replica = token.uri();
      return result;
    }
    std::string why = TokenDetail(token, RvDetail("C_Sign", r.rv));
    AppendDetail(out_detail, why);
    switch (ClassifyRv(r.rv)) {
      case RvClass::kSessionBroken:
        token.RecordFailure(why);  // the worker closed the session; try again
        continue;
      case RvClass::kRelogin:
        if (relogged[static_cast<size_t>(idx)] == 0) {
          relogged[static_cast<size_t>(idx)] = 1;
          token.RecordFailure(why);
          if (token.Relogin(out_detail).ok()) continue;
        }
        if (token.MarkFailed(why, "login")) Log("warning", why + "; log-in lost, out of rotation");
        tried[static_cast<size_t>(idx)] = 1;
        continue;
      case RvClass::kTokenFailed:
        if (token.MarkFailed(why, ReasonOfRv(r.rv))) Log("warning", why + "; out of rotation");
        tried[static_cast<size_t>(idx)] = 1;
        continue;
      case RvClass::kBadInput:
        token.RecordFailure(why);
        return InvalidArgumentError("key '")
            .Append(info.key_name)
            .Append("': the HSM refused the input for ")
            .Append(AlgorithmName(alg));
      case RvClass::kAuth:
      case RvClass::kOther:
      case RvClass::kOk:
        token.RecordFailure(why);
        tried[static_cast<size_t>(idx)] = 1;
        continue;
    }
  }
  if (Clock::now() >= finish_by) {
    return DeadlineExceededError("key '").Append(info.key_name).Append("': no HSM answered in time");
  }
  if (saw_busy) {
    return ResourceExhaustedError("key '").Append(info.key_name).Append("': no HSM session free in time");
  }
  return UnavailableError("key '")
      .Append(info.key_name)
      .Append("': no replica can sign now; retry later");
}

KeyVersionInfo PoolImpl::InfoOf(const KeyVersion& kv) const {
  KeyVersionInfo info = kv.info;
  info.replicas_total = static_cast<uint32_t>(kv.replicas.size());
  info.replicas_healthy = 0;
  for (const Replica& r : kv.replicas) info.replicas_healthy += r.token->healthy() ? 1 : 0;
  info.health = info.replicas_healthy == info.replicas_total ? KeyHealth::kEnabled
                : info.replicas_healthy > 0                  ? KeyHealth::kDegraded
                                                             : KeyHealth::kUnavailable;
  return info;
}

StatusOr<KeyVersionInfo> PoolImpl::Describe(std::string_view name, uint32_t version) {
  PKI_ASSIGN_OR_RETURN(KeyVersion * kv, Find(name, version));
  return InfoOf(*kv);
}

std::vector<KeyVersionInfo> PoolImpl::List() {
  std::vector<KeyVersionInfo> out;
  for (const auto& [name, key] : parts_.keys) {
    for (const auto& [v, kv] : key.versions) out.push_back(InfoOf(*kv));
  }
  return out;
}

StatusOr<std::vector<ReplicaInfo>> PoolImpl::Replicas(std::string_view name, uint32_t version) {
  PKI_ASSIGN_OR_RETURN(KeyVersion * kv, Find(name, version));
  std::vector<ReplicaInfo> out;
  out.reserve(kv->replicas.size());
  for (const Replica& r : kv->replicas) out.push_back(ReplicaInfo{r.token->uri(), r.token->healthy()});
  return out;
}

std::vector<TokenStatus> PoolImpl::Tokens() {
  std::vector<TokenStatus> out;
  for (const auto& token : parts_.tokens) out.push_back(token->Describe());
  return out;
}

void PoolImpl::HealthLoop() {
  const auto tick = std::min(parts_.probe_interval, std::chrono::milliseconds(50));
  std::vector<Clock::time_point> next_probe(parts_.tokens.size(),
                                            Clock::now() + parts_.probe_interval);
  std::unique_lock<std::mutex> lock(health_mu_);
  while (!stop_) {
    lock.unlock();
    for (size_t i = 0; i < parts_.tokens.size(); ++i) {
      Token& token = *parts_.tokens[i];
      Clock::time_point now = Clock::now();
      if (token.healthy()) {
        if (now < next_probe[i]) continue;
        next_probe[i] = now + parts_.probe_interval;
        std::string detail;
        std::string reason;
        Status s = token.Probe(now + parts_.session_wait, &detail, &reason);
        if (!s.ok() && s.code() != StatusCode::kResourceExhausted) {
          std::string why = TokenDetail(token, detail.empty() ? std::string(s.message()) : detail);
          if (token.MarkFailed(why, reason)) Log("warning", why + "; probe failed, out of rotation");
        }
      } else if (now >= token.next_attempt()) {
        std::string detail;
        Status s = token.Reinitialize(&detail);
        if (s.ok()) s = token.Probe(Clock::now() + parts_.session_wait, &detail);
        if (s.ok()) {
          token.ResetBackoff();
          token.MarkHealthy();
          next_probe[i] = Clock::now() + parts_.probe_interval;
          Log("info", TokenDetail(token, "re-initialized, probe signature ok; back in rotation"));
        } else {
          token.ScheduleRetry(parts_.reinit_backoff_max);
          token.RecordFailure(TokenDetail(token, detail.empty() ? std::string(s.message()) : detail));
        }
      }
    }
    lock.lock();
    if (stop_) break;
    health_cv_.wait_for(lock, tick);
  }
}

}  // namespace pki::signer::internal
