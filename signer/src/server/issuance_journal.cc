#include "server/issuance_journal.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <string>

#include "audit/audit_issued.h"
#include "audit/audit_verify.h"

namespace pki::signer {
namespace {

thread_local ScopedIssueAudit* t_issue_audit = nullptr;

std::string Sha256Hex(std::string_view data) {
  Sha256 h{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), h.data());
  return HexOf(h);
}

std::string Base64(std::string_view der) {
  std::string out(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(der.data()), static_cast<int>(der.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

AuditRecord Common(const IssuanceIntent& intent, const char* method) {
  AuditRecord rec;
  rec.client = intent.client_id;
  rec.method = method;
  rec.request_id = intent.request_id;
  rec.key = intent.issuing_key;
  std::string names;
  for (const std::string& n : intent.names) names += (names.empty() ? "" : ",") + n;
  rec.detail = "profile=" + intent.profile + " profile_sha256=" + intent.profile_hash_hex +
               " csr_sha256=" + intent.csr_sha256_hex + " serial=" + intent.serial_hex +
               " subject=" + intent.subject + " names=" + names +
               " not_before=" + std::to_string(intent.not_before_unix) +
               " not_after=" + std::to_string(intent.not_after_unix) + " ref=" + intent.requester_ref;
  return rec;
}

}  // namespace

ScopedIssueAudit::ScopedIssueAudit(std::chrono::steady_clock::time_point start)
    : start_(start), previous_(t_issue_audit) {
  t_issue_audit = this;
}

ScopedIssueAudit::~ScopedIssueAudit() { t_issue_audit = previous_; }

Status AuditIssuanceJournal::Append(AuditRecord& rec) {
  ScopedIssueAudit* scope = t_issue_audit;
  if (scope != nullptr) {
    rec.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - scope->start_).count();
  }
  PKI_ASSIGN_OR_RETURN(std::string id, log_.Append(rec));
  if (scope != nullptr) scope->audit_id_ = std::move(id);
  return OkStatus();
}

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
  return Append(rec);
}

Status AuditIssuanceJournal::RecordIssued(const IssuanceIntent& intent, std::string_view certificate_der) {
  AuditRecord rec = Common(intent, "IssueCertificate.outcome");
  rec.outcome = StatusCodeName(StatusCode::kOk);
  rec.input_sha256 = Sha256Hex(certificate_der);
  rec.detail += " cert_sha256=" + rec.input_sha256;
  rec.certificate = Base64(certificate_der);
  return Append(rec);
}

StatusOr<std::vector<PriorIssuance>> AuditIssuanceJournal::RecentIssuances(size_t max, size_t* skipped) const {
  size_t bad = 0;
  // Records from before outcome records carried the certificate (or the CSR
  // hash) cannot answer a retry: skipped.
  PKI_ASSIGN_OR_RETURN(std::vector<IssuedRecord> records,
                       ReadIssuedRecords(ListAuditFiles(log_.Path()), max, &bad));
  std::vector<PriorIssuance> out;
  out.reserve(records.size());
  for (IssuedRecord& r : records) {
    if (r.certificate_der.empty() || r.csr_sha256.empty() || r.profile_sha256.empty()) {
      ++bad;
      continue;
    }
    out.push_back(PriorIssuance{std::move(r.client), std::move(r.request_id), std::move(r.profile),
                                std::move(r.profile_sha256), std::move(r.csr_sha256),
                                std::move(r.certificate_der)});
  }
  if (skipped != nullptr) *skipped = bad;
  return out;
}

std::shared_ptr<IdempotencyIndex> AuditIssuanceJournal::Index(size_t capacity, bool* fresh) {
  std::lock_guard<std::mutex> lock(index_mu_);
  *fresh = !index_filled_;
  if (index_ == nullptr) {
    index_ = NewIdempotencyIndex(capacity);
  } else {
    SetIdempotencyCapacity(*index_, capacity);
  }
  return index_;
}

void AuditIssuanceJournal::MarkIndexFilled() {
  std::lock_guard<std::mutex> lock(index_mu_);
  index_filled_ = true;
}

}  // namespace pki::signer
