// issuance_setup.h — builds the IssuanceEngine signerd serves from the
// config's issuance section and the HSM pool, and holds the current one so
// a SIGHUP reload can swap it.
//
// Each issuer's certificate and chain come from its key's primary version
// (KeyVersionInfo::chain_der, certificate first); a self-signed last element
// (the root) is dropped, so IssueCertificate's chain stops before the root.
// The issuers' TbsSigners sign through KeyPool::Sign with the deadline of
// the calling RPC (ScopedIssueDeadline), bounded by the configured one.
#ifndef PKI_SIGNER_SERVER_ISSUANCE_SETUP_H_
#define PKI_SIGNER_SERVER_ISSUANCE_SETUP_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "base/status_or.h"
#include "config/config.h"
#include "signer/issuance.h"
#include "server/issuance_journal.h"
#include "signer/key_pool.h"

namespace pki::signer {

// What IssueCertificate and ListKeys need: the engine and its profiles.
struct IssuanceBundle {
  std::unique_ptr<IssuanceEngine> engine;
  std::vector<Profile> profiles;
  // Idempotency entries read back from the audit log when this bundle made
  // the journal's index (the first build: signerd's start), and outcome
  // records that could not be used (old format, profile gone, issuer changed).
  size_t remembered = 0;
  size_t remember_skipped = 0;
};

// BuildIssuance returns a bundle for |config| (copied) over |pool| and
// |journal| (borrowed; both must outlive the bundle). |max_deadline| bounds
// every HSM call. The engine answers retries from the journal's shared
// idempotency index (config.idempotency_capacity entries): the first build
// fills it from the audit log's last OK outcome records, later builds (a
// SIGHUP reload) keep it, so neither a restart nor a reload issues a second
// certificate for a request id it can still remember. Returns null (OK) if
// no issuer is configured; FAILED_PRECONDITION naming the key if an issuer
// key has no certificate chain in the pool; the pool's error if it cannot
// describe the key; the journal's if the log cannot be read; the engine's
// INVALID_ARGUMENT otherwise.
StatusOr<std::shared_ptr<IssuanceBundle>> BuildIssuance(const IssuanceConfig& config, KeyPool& pool,
                                                        AuditIssuanceJournal& journal,
                                                        std::chrono::milliseconds max_deadline);

// ScopedIssueDeadline sets, for this thread and its lifetime, the deadline
// the issuers' TbsSigners pass to KeyPool::Sign (else their |max_deadline|).
class ScopedIssueDeadline final {
 public:
  explicit ScopedIssueDeadline(std::chrono::milliseconds deadline);
  ~ScopedIssueDeadline();
  ScopedIssueDeadline(const ScopedIssueDeadline&) = delete;
  ScopedIssueDeadline& operator=(const ScopedIssueDeadline&) = delete;

 private:
  std::chrono::milliseconds previous_;
};

// IssuanceHolder keeps the current bundle (may be null: issuance off).
class IssuanceHolder final {
 public:
  explicit IssuanceHolder(std::shared_ptr<IssuanceBundle> bundle) : bundle_(std::move(bundle)) {}
  // Get returns the current bundle; a request keeps the one it got.
  std::shared_ptr<IssuanceBundle> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bundle_;
  }
  // Set replaces it for requests starting from now.
  void Set(std::shared_ptr<IssuanceBundle> bundle) {
    std::lock_guard<std::mutex> lock(mu_);
    bundle_ = std::move(bundle);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<IssuanceBundle> bundle_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_ISSUANCE_SETUP_H_
