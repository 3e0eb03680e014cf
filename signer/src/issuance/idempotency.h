// idempotency.h — IdempotencyIndex: a bounded in-memory LRU of issued
// certificates keyed by client + request id. Same key and same request
// fingerprint returns the stored certificate; a different fingerprint is
// ALREADY_EXISTS. signerd fills it at start from the audit log's outcome
// records and keeps it across reloads (docs/issuance.md); it is not shared
// between replicas.
#ifndef PKI_SIGNER_ISSUANCE_IDEMPOTENCY_H_
#define PKI_SIGNER_ISSUANCE_IDEMPOTENCY_H_

#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status_or.h"
#include "signer/issuance.h"

namespace pki::signer {

class IdempotencyIndex final {
 public:
  using Chain = std::shared_ptr<const std::vector<std::string>>;

  explicit IdempotencyIndex(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Begin claims |key| for |fingerprint|. Returns the stored certificate when
  // the same request was issued before (replay), nullopt when the caller
  // now owns the claim and must call Finish or Abandon; ALREADY_EXISTS for a
  // different fingerprint, ABORTED while another call holds the claim.
  StatusOr<std::optional<IssuedCertificate>> Begin(const std::string& key,
                                                   const std::string& fingerprint);
  // Finish stores |cert| under a claimed |key|, evicting the least recently
  // used finished entry beyond capacity. With |chain| (shared by every entry
  // of one issuer), cert.chain_der is not kept per entry and a replay gets
  // *chain instead.
  void Finish(const std::string& key, const IssuedCertificate& cert, Chain chain = nullptr);
  // Abandon drops a claim (the request failed: no state kept).
  void Abandon(const std::string& key);
  // Put stores a finished entry (from the journal) unless |key| is claimed
  // right now; an earlier entry of |key| is replaced. Most recent last.
  void Put(const std::string& key, const std::string& fingerprint, const IssuedCertificate& cert,
           Chain chain);

  void SetCapacity(size_t capacity);
  size_t size() const;

 private:
  struct Entry {
    std::string fingerprint;
    std::optional<IssuedCertificate> cert;  // nullopt: in progress
    Chain chain;
    std::list<std::string>::iterator lru;
  };
  void Store(Entry& e, const std::string& key, const IssuedCertificate& cert, Chain chain);
  void EvictLocked();

  size_t capacity_;
  mutable std::mutex mu_;
  std::list<std::string> lru_;  // most recent first; finished entries only
  std::unordered_map<std::string, Entry> entries_;
};

namespace internal {
using IdempotencyStore = IdempotencyIndex;
}  // namespace internal

}  // namespace pki::signer

#endif  // PKI_SIGNER_ISSUANCE_IDEMPOTENCY_H_
