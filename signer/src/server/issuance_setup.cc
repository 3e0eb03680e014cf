#include "server/issuance_setup.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "common/ossl.h"

namespace pki::signer {
namespace {

thread_local std::chrono::milliseconds t_issue_deadline{0};

// DeadlineTbsSigner signs through a KeyPoolTbsSigner made per call with the
// current thread's RPC deadline (ScopedIssueDeadline), at most |max_|.
class DeadlineTbsSigner final : public TbsSigner {
 public:
  DeadlineTbsSigner(KeyPool& pool, std::string key, std::chrono::milliseconds max)
      : pool_(pool), key_(std::move(key)), max_(max) {}

  StatusOr<std::string> SignTbs(SignAlgorithm alg, ByteSpan tbs_der) override {
    std::chrono::milliseconds d = max_;
    if (t_issue_deadline.count() > 0) d = std::min(d, t_issue_deadline);
    return NewKeyPoolTbsSigner(pool_, key_, 0, d)->SignTbs(alg, tbs_der);
  }

 private:
  KeyPool& pool_;
  const std::string key_;
  const std::chrono::milliseconds max_;
};

// IsSelfSigned reports whether DER certificate |der| is self-issued and
// verifies under its own key (a root).
bool IsSelfSigned(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  OsslPtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert == nullptr) return false;
  return X509_check_issued(cert.get(), cert.get()) == X509_V_OK &&
         X509_verify(cert.get(), X509_get0_pubkey(cert.get())) == 1;
}

}  // namespace

ScopedIssueDeadline::ScopedIssueDeadline(std::chrono::milliseconds deadline)
    : previous_(t_issue_deadline) {
  t_issue_deadline = deadline;
}

ScopedIssueDeadline::~ScopedIssueDeadline() { t_issue_deadline = previous_; }

StatusOr<std::shared_ptr<IssuanceBundle>> BuildIssuance(const IssuanceConfig& config, KeyPool& pool,
                                                        AuditIssuanceJournal& journal,
                                                        std::chrono::milliseconds max_deadline) {
  if (config.issuers.empty()) return std::shared_ptr<IssuanceBundle>();
  std::vector<IssuanceEngine::Issuer> issuers;
  for (const IssuerConfig& ic : config.issuers) {
    PKI_ASSIGN_OR_RETURN(KeyVersionInfo info, pool.Describe(ic.key_name, 0));
    if (info.chain_der.empty()) {
      return FailedPreconditionError("issuer '").Append(ic.key_name)
          .Append("': no certificate chain in the pool (set chain_file on its primary version)");
    }
    IssuanceEngine::Issuer issuer;
    issuer.config = ic;
    issuer.config.certificate_der = info.chain_der.front();
    issuer.config.chain_der.assign(info.chain_der.begin() + 1, info.chain_der.end());
    if (!issuer.config.chain_der.empty() && IsSelfSigned(issuer.config.chain_der.back())) {
      issuer.config.chain_der.pop_back();  // the wire chain stops before the root
    }
    issuer.signer = std::make_shared<DeadlineTbsSigner>(pool, ic.key_name, max_deadline);
    issuers.push_back(std::move(issuer));
  }
  IssuanceOptions options;
  options.idempotency_capacity = config.idempotency_capacity;
  bool fresh = false;
  options.idempotency = journal.Index(config.idempotency_capacity, &fresh);
  auto bundle = std::make_shared<IssuanceBundle>();
  bundle->profiles = config.profiles;
  PKI_ASSIGN_OR_RETURN(bundle->engine,
                       IssuanceEngine::Create(config.profiles, std::move(issuers), journal, std::move(options)));
  if (fresh) {
    size_t skipped = 0;
    StatusOr<std::vector<PriorIssuance>> prior = journal.RecentIssuances(config.idempotency_capacity, &skipped);
    if (!prior.ok()) return prior.status();
    for (const PriorIssuance& p : *prior) {
      if (bundle->engine->Remember(p).ok()) {
        ++bundle->remembered;
      } else {
        ++skipped;
      }
    }
    bundle->remember_skipped = skipped;
    journal.MarkIndexFilled();
  }
  return bundle;
}

}  // namespace pki::signer
