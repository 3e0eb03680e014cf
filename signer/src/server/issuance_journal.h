// issuance_journal.h — IssuanceJournal over the audit log, and the
// idempotency index signerd rebuilds from it.
//
// Every intent (before the HSM signs) and every outcome (before a
// certificate is released) is one durable AuditRecord: method
// "IssueCertificate.intent" / "IssueCertificate.outcome", the client,
// request id, issuing key, and in |detail| first "profile=P
// profile_sha256=H csr_sha256=C serial=S" (in that order, no spaces inside:
// RecentIssuances reads them), then subject, names, validity and ref; an OK
// outcome also carries "cert_sha256=" (and input_sha256 = the certificate's
// SHA-256) and the certificate itself (the record's "certificate" field,
// base64 DER), so a retry after a restart gets the same certificate back.
// The input_sha256 of an intent is the linted TBS's SHA-256. No secret is
// ever in these records.
//
// An outcome record written while the calling thread holds a
// ScopedIssueAudit is that request's record (latency included): the
// IssueCertificate handler then writes no record of its own, so an
// issuance costs two durable appends (intent, outcome), not three.
#ifndef PKI_SIGNER_SERVER_ISSUANCE_JOURNAL_H_
#define PKI_SIGNER_SERVER_ISSUANCE_JOURNAL_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "signer/issuance.h"

namespace pki::signer {

// ScopedIssueAudit marks, for this thread and its lifetime, one
// IssueCertificate request started at |start|. If the engine journals the
// request's outcome meanwhile (it does once the intent is durable), that
// record stands for the request: outcome_audit_id() is its audit id.
class ScopedIssueAudit final {
 public:
  explicit ScopedIssueAudit(std::chrono::steady_clock::time_point start);
  ~ScopedIssueAudit();
  ScopedIssueAudit(const ScopedIssueAudit&) = delete;
  ScopedIssueAudit& operator=(const ScopedIssueAudit&) = delete;

  // Empty unless an outcome record of this request is durable.
  const std::string& outcome_audit_id() const { return audit_id_; }

 private:
  friend class AuditIssuanceJournal;
  std::chrono::steady_clock::time_point start_;
  std::string audit_id_;
  ScopedIssueAudit* previous_;
};

class AuditIssuanceJournal final : public IssuanceJournal {
 public:
  // Borrows |log|, which must outlive the journal.
  explicit AuditIssuanceJournal(AuditLog& log) : log_(log) {}

  // RecordIntent appends the intent record; returns the audit log's error
  // (UNAVAILABLE...) if it could not be made durable.
  Status RecordIntent(const IssuanceIntent& intent) override;
  // RecordOutcome appends the outcome record (OK with the certificate's
  // SHA-256, or the error); returns the audit log's error if not durable.
  Status RecordOutcome(const IssuanceIntent& intent, const Status& outcome,
                       std::string_view certificate_sha256_hex) override;
  // RecordIssued appends the OK outcome record with the certificate.
  Status RecordIssued(const IssuanceIntent& intent, std::string_view certificate_der) override;

  // RecentIssuances reads the log's files (newest first, ListAuditFiles)
  // and returns the last |max| OK outcome records that carry a certificate,
  // oldest first. Records that do not parse, whose certificate does not
  // match its SHA-256, or from before certificates were recorded are
  // skipped (counted in |skipped| if not null). NOT_FOUND/INTERNAL if a file
  // cannot be read.
  StatusOr<std::vector<PriorIssuance>> RecentIssuances(size_t max, size_t* skipped = nullptr) const;

  // Index returns the idempotency index every engine built over this journal
  // shares (so a reload keeps it), bounded to |capacity| entries; |fresh|
  // is set until MarkIndexFilled (the caller fills it from the log).
  std::shared_ptr<IdempotencyIndex> Index(size_t capacity, bool* fresh);
  void MarkIndexFilled();

 private:
  Status Append(AuditRecord& rec);

  AuditLog& log_;
  std::mutex index_mu_;
  std::shared_ptr<IdempotencyIndex> index_;
  bool index_filled_ = false;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_ISSUANCE_JOURNAL_H_
