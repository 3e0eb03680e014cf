// idempotency.cc — see idempotency.h.
#include "idempotency.h"

namespace pki::signer::internal {

StatusOr<std::optional<IssuedCertificate>> IdempotencyStore::Begin(const std::string& key,
                                                                   const std::string& fingerprint) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(key, Entry{fingerprint, std::nullopt, lru_.end()});
    return std::optional<IssuedCertificate>();
  }
  Entry& e = it->second;
  if (e.fingerprint != fingerprint) {
    return AlreadyExistsError("request id already used with a different CSR or profile");
  }
  if (!e.cert.has_value()) return AbortedError("the same request id is being issued now; retry");
  lru_.splice(lru_.begin(), lru_, e.lru);
  IssuedCertificate replay = *e.cert;
  replay.replayed = true;
  return std::optional<IssuedCertificate>(std::move(replay));
}

void IdempotencyStore::Finish(const std::string& key, const IssuedCertificate& cert) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  it->second.cert = cert;
  lru_.push_front(key);
  it->second.lru = lru_.begin();
  while (lru_.size() > capacity_) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
}

void IdempotencyStore::Abandon(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && !it->second.cert.has_value()) entries_.erase(it);
}

size_t IdempotencyStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace pki::signer::internal
