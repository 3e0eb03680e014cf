// idempotency.h — a bounded in-memory LRU of issued certificates keyed by
// client + request id. Same key and same request fingerprint returns the
// stored certificate; a different fingerprint is ALREADY_EXISTS. Lost on
// restart and not shared between replicas (docs/issuance.md).
#ifndef PKI_SIGNER_ISSUANCE_IDEMPOTENCY_H_
#define PKI_SIGNER_ISSUANCE_IDEMPOTENCY_H_

#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/status_or.h"
#include "signer/issuance.h"

namespace pki::signer::internal {

class IdempotencyStore final {
 public:
  explicit IdempotencyStore(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Begin claims |key| for |fingerprint|. Returns the stored certificate when
  // the same request was issued before (replay), nullopt when the caller
  // now owns the claim and must call Finish or Abandon; ALREADY_EXISTS for a
  // different fingerprint, ABORTED while another call holds the claim.
  StatusOr<std::optional<IssuedCertificate>> Begin(const std::string& key,
                                                   const std::string& fingerprint);
  // Finish stores |cert| under a claimed |key|, evicting the least recently
  // used finished entry beyond capacity.
  void Finish(const std::string& key, const IssuedCertificate& cert);
  // Abandon drops a claim (the request failed: no state kept).
  void Abandon(const std::string& key);

  size_t size() const;

 private:
  struct Entry {
    std::string fingerprint;
    std::optional<IssuedCertificate> cert;  // nullopt: in progress
    std::list<std::string>::iterator lru;
  };
  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<std::string> lru_;  // most recent first; finished entries only
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_ISSUANCE_IDEMPOTENCY_H_
