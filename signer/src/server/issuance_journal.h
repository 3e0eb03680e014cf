// issuance_journal.h — IssuanceJournal over the audit log.
//
// Every intent (before the HSM signs) and every outcome (before a
// certificate is released) is one durable AuditRecord: method
// "IssueCertificate.intent" / "IssueCertificate.outcome", the client,
// request id, issuing key, and in |detail| the profile and its hash, the
// serial, the names and validity; the outcome also carries the SHA-256 of
// the certificate (input_sha256 of an intent is the linted TBS's SHA-256).
// No secret is ever in an intent.
#ifndef PKI_SIGNER_SERVER_ISSUANCE_JOURNAL_H_
#define PKI_SIGNER_SERVER_ISSUANCE_JOURNAL_H_

#include "audit/audit_log.h"
#include "signer/issuance.h"

namespace pki::signer {

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

 private:
  AuditLog& log_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_ISSUANCE_JOURNAL_H_
