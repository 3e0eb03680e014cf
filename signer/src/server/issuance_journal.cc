#include "server/issuance_journal.h"

#include <string>

namespace pki::signer {
namespace {

AuditRecord Common(const IssuanceIntent& intent, const char* method) {
  AuditRecord rec;
  rec.client = intent.client_id;
  rec.method = method;
  rec.request_id = intent.request_id;
  rec.key = intent.issuing_key;
  std::string names;
  for (const std::string& n : intent.names) names += (names.empty() ? "" : ",") + n;
  rec.detail = "profile=" + intent.profile + " profile_sha256=" + intent.profile_hash_hex +
               " serial=" + intent.serial_hex + " subject=" + intent.subject + " names=" + names +
               " not_before=" + std::to_string(intent.not_before_unix) +
               " not_after=" + std::to_string(intent.not_after_unix) + " ref=" + intent.requester_ref;
  return rec;
}

}  // namespace

Status AuditIssuanceJournal::RecordIntent(const IssuanceIntent& intent) {
  AuditRecord rec = Common(intent, "IssueCertificate.intent");
  rec.input_sha256 = intent.tbs_sha256_hex;
  rec.outcome = "INTENT";
  PKI_ASSIGN_OR_RETURN(std::string id, log_.Append(rec));
  (void)id;
  return OkStatus();
}

Status AuditIssuanceJournal::RecordOutcome(const IssuanceIntent& intent, const Status& outcome,
                                           std::string_view certificate_sha256_hex) {
  AuditRecord rec = Common(intent, "IssueCertificate.outcome");
  rec.outcome = StatusCodeName(outcome.code());
  if (outcome.ok()) {
    rec.input_sha256 = std::string(certificate_sha256_hex);
    rec.detail += " cert_sha256=" + std::string(certificate_sha256_hex);
  } else {
    rec.detail += " error=" + std::string(outcome.message());
  }
  PKI_ASSIGN_OR_RETURN(std::string id, log_.Append(rec));
  (void)id;
  return OkStatus();
}

}  // namespace pki::signer
