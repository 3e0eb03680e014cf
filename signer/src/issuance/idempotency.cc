// idempotency.cc — see idempotency.h.
#include "idempotency.h"

namespace pki::signer {

std::shared_ptr<IdempotencyIndex> NewIdempotencyIndex(size_t capacity) {
  return std::make_shared<IdempotencyIndex>(capacity);
}

void SetIdempotencyCapacity(IdempotencyIndex& index, size_t capacity) { index.SetCapacity(capacity); }

size_t IdempotencyIndexSize(const IdempotencyIndex& index) { return index.size(); }

StatusOr<std::optional<IssuedCertificate>> IdempotencyIndex::Begin(const std::string& key,
                                                                   const std::string& fingerprint) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(key, Entry{fingerprint, std::nullopt, nullptr, lru_.end()});
    return std::optional<IssuedCertificate>();
  }
  Entry& e = it->second;
  if (e.fingerprint != fingerprint) {
    return AlreadyExistsError("request id already used with a different CSR or profile");
  }
  if (!e.cert.has_value()) return AbortedError("the same request id is being issued now; retry");
  lru_.splice(lru_.begin(), lru_, e.lru);
  IssuedCertificate replay = *e.cert;
  if (e.chain != nullptr) replay.chain_der = *e.chain;
  replay.replayed = true;
  return std::optional<IssuedCertificate>(std::move(replay));
}

void IdempotencyIndex::Store(Entry& e, const std::string& key, const IssuedCertificate& cert, Chain chain) {
  e.cert = cert;
  e.cert->replayed = false;
  if (chain != nullptr) e.cert->chain_der.clear();
  e.chain = std::move(chain);
  lru_.push_front(key);
  e.lru = lru_.begin();
  EvictLocked();
}

void IdempotencyIndex::EvictLocked() {
  while (lru_.size() > capacity_) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
}

void IdempotencyIndex::Finish(const std::string& key, const IssuedCertificate& cert, Chain chain) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.cert.has_value()) return;
  Store(it->second, key, cert, std::move(chain));
}

void IdempotencyIndex::Put(const std::string& key, const std::string& fingerprint,
                           const IssuedCertificate& cert, Chain chain) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    if (!it->second.cert.has_value()) return;  // claimed now: the claim decides
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  Entry& e = entries_.emplace(key, Entry{fingerprint, std::nullopt, nullptr, lru_.end()}).first->second;
  Store(e, key, cert, std::move(chain));
}

void IdempotencyIndex::Abandon(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && !it->second.cert.has_value()) entries_.erase(it);
}

void IdempotencyIndex::SetCapacity(size_t capacity) {
  std::lock_guard<std::mutex> lock(mu_);
  capacity_ = capacity == 0 ? 1 : capacity;
  EvictLocked();
}

size_t IdempotencyIndex::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace pki::signer
