// audit_issued.h — reading back the certificates signerd issued from its
// audit log: the OK "IssueCertificate.outcome" records (written by
// signer/src/server/issuance_journal.cc). Used by signerd to rebuild its
// idempotency index at start and by `signerctl audit issued` to list what
// was issued (for an operator who must find certificates to revoke).
#ifndef PKI_SIGNER_AUDIT_AUDIT_ISSUED_H_
#define PKI_SIGNER_AUDIT_AUDIT_ISSUED_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status_or.h"

namespace pki::signer {

// One issued certificate as its outcome record has it.
struct IssuedRecord {
  uint64_t seq = 0;
  std::string time;            // RFC 3339, as written
  std::string client;
  std::string request_id;
  std::string issuing_key;
  std::string profile;
  std::string profile_sha256;
  std::string csr_sha256;      // empty in records written before it was recorded
  std::string serial;          // hex, 40 digits
  std::string names;           // "dns:a.example.com,ip:10.0.0.1,..."
  std::string cert_sha256;     // the record's input_sha256
  std::string certificate_der; // empty in records written before it was recorded
};

// ParseIssuedRecord reads |line| if it is an OK IssueCertificate.outcome
// record. The detail tokens are read from the start up to "ref=" (the
// requester's free text comes last and is never read as a field). A
// certificate that does not decode or does not match cert_sha256 makes the
// line unusable. false if |line| is not such a record or is malformed.
bool ParseIssuedRecord(std::string_view line, IssuedRecord& out);

// ReadIssuedRecords reads the OK outcome records of the log files |paths|
// (oldest first, as ListAuditFiles returns them), newest files first, and
// returns the last |max| (0: all) oldest first. Lines that look like OK
// outcomes but do not parse are counted in |malformed| (if not null).
// NOT_FOUND naming a file that cannot be opened.
StatusOr<std::vector<IssuedRecord>> ReadIssuedRecords(const std::vector<std::string>& paths, size_t max,
                                                      size_t* malformed = nullptr);

}  // namespace pki::signer

#endif  // PKI_SIGNER_AUDIT_AUDIT_ISSUED_H_
