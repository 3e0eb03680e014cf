#include "server/issuance_journal.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <fstream>
#include <string>

#include "audit/audit_verify.h"

namespace pki::signer {
namespace {

thread_local ScopedIssueAudit* t_issue_audit = nullptr;

constexpr std::string_view kOutcomeMethod = ",\"method\":\"IssueCertificate.outcome\"";

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

bool Unbase64(std::string_view b64, std::string& out) {
  if (b64.empty() || b64.size() % 4 != 0 || b64.size() > (1u << 20)) return false;
  out.assign(b64.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) return false;
  size_t pad = 0;
  while (pad < 2 && b64[b64.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return true;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// JsonString reads the string field |name| of audit line |line| (as
// FormatAuditLine writes it: a value's quotes are always escaped, so
// ,"name":" only ever matches the field itself).
bool JsonString(std::string_view line, std::string_view name, std::string& out) {
  const std::string key = ",\"" + std::string(name) + "\":\"";
  const size_t at = line.find(key);
  if (at == std::string_view::npos) return false;
  out.clear();
  for (size_t i = at + key.size(); i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') return true;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= line.size()) return false;
    if (line[i] == 'u') {
      if (i + 4 >= line.size() || line[i + 1] != '0' || line[i + 2] != '0') return false;
      const int hi = HexVal(line[i + 3]);
      const int lo = HexVal(line[i + 4]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 4;
    } else {
      out.push_back(line[i]);
    }
  }
  return false;
}

// DetailToken returns the value of the |index|-th space-separated token of
// |detail| if it is "name=value".
bool DetailToken(std::string_view detail, size_t index, std::string_view name, std::string& out) {
  for (size_t i = 0; i < index; ++i) {
    const size_t sp = detail.find(' ');
    if (sp == std::string_view::npos) return false;
    detail.remove_prefix(sp + 1);
  }
  const size_t end = detail.find(' ');
  std::string_view token = detail.substr(0, end);
  if (token.size() <= name.size() || token.substr(0, name.size()) != name || token[name.size()] != '=') return false;
  out.assign(token.substr(name.size() + 1));
  return !out.empty();
}

// ParseIssued reads an OK outcome record with a certificate; false otherwise.
bool ParseIssued(std::string_view line, PriorIssuance& out) {
  std::string outcome, detail, b64, cert_sha;
  if (!JsonString(line, "outcome", outcome) || outcome != "OK") return false;
  if (!JsonString(line, "client", out.client_id) || !JsonString(line, "request_id", out.request_id) ||
      !JsonString(line, "detail", detail) || !JsonString(line, "certificate", b64) ||
      !JsonString(line, "input_sha256", cert_sha)) {
    return false;
  }
  if (!DetailToken(detail, 0, "profile", out.profile) || !DetailToken(detail, 1, "profile_sha256", out.profile_hash_hex) ||
      !DetailToken(detail, 2, "csr_sha256", out.csr_sha256_hex)) {
    return false;
  }
  if (!Unbase64(b64, out.certificate_der)) return false;
  return Sha256Hex(out.certificate_der) == cert_sha;
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
  std::vector<std::string> files = ListAuditFiles(log_.Path());
  std::vector<PriorIssuance> out;  // newest file first, each file's records in order
  size_t bad = 0;
  for (auto f = files.rbegin(); f != files.rend() && out.size() < max; ++f) {
    std::ifstream in(*f, std::ios::binary);
    if (!in) return NotFoundError("audit log file cannot be read: ").Append(*f);
    std::vector<PriorIssuance> mine;
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(kOutcomeMethod) == std::string::npos) continue;
      PriorIssuance p;
      if (ParseIssued(line, p)) {
        mine.push_back(std::move(p));
      } else if (line.find("\"outcome\":\"OK\"") != std::string::npos) {
        ++bad;
      }
    }
    if (in.bad()) return InternalError("audit log file read failed: ").Append(*f);
    out.insert(out.begin(), std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()));
  }
  if (out.size() > max) out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(out.size() - max));
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
