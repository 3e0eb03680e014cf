#include "audit/audit_issued.h"

#include <openssl/evp.h>

#include <charconv>
#include <fstream>

#include "audit/audit_record.h"

namespace pki::signer {
namespace {

constexpr std::string_view kOutcomeMethod = ",\"method\":\"IssueCertificate.outcome\"";

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// JsonString reads the string field |name| of an audit line (as
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

// DetailField returns the value of the first "name=value" token of |detail|
// before the "ref=" token (free text from there on).
std::string DetailField(std::string_view detail, std::string_view name) {
  while (!detail.empty()) {
    const size_t sp = detail.find(' ');
    const std::string_view token = detail.substr(0, sp);
    if (token.substr(0, 4) == "ref=") break;
    if (token.size() > name.size() && token.substr(0, name.size()) == name && token[name.size()] == '=') {
      return std::string(token.substr(name.size() + 1));
    }
    if (sp == std::string_view::npos) break;
    detail.remove_prefix(sp + 1);
  }
  return "";
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

}  // namespace

bool ParseIssuedRecord(std::string_view line, IssuedRecord& out) {
  if (line.find(kOutcomeMethod) == std::string_view::npos) return false;
  auto prefix = ParseAuditLinePrefix(line);
  if (!prefix.ok()) return false;
  out = IssuedRecord{};
  out.seq = prefix->seq;
  std::string outcome, detail;
  if (!JsonString(line, "outcome", outcome) || outcome != "OK") return false;
  if (!JsonString(line, "client", out.client) || !JsonString(line, "request_id", out.request_id) ||
      !JsonString(line, "detail", detail) || !JsonString(line, "input_sha256", out.cert_sha256) ||
      !JsonString(line, "time", out.time)) {
    return false;
  }
  JsonString(line, "key", out.issuing_key);
  out.profile = DetailField(detail, "profile");
  out.profile_sha256 = DetailField(detail, "profile_sha256");
  out.csr_sha256 = DetailField(detail, "csr_sha256");
  out.serial = DetailField(detail, "serial");
  out.names = DetailField(detail, "names");
  if (out.profile.empty() || out.serial.empty() || out.cert_sha256.size() != 64) return false;
  std::string b64;
  if (JsonString(line, "certificate", b64)) {
    if (!Unbase64(b64, out.certificate_der)) return false;
    if (HexOf(HashLine(out.certificate_der)) != out.cert_sha256) return false;
  }
  return true;
}

StatusOr<std::vector<IssuedRecord>> ReadIssuedRecords(const std::vector<std::string>& paths, size_t max,
                                                      size_t* malformed) {
  std::vector<IssuedRecord> out;
  size_t bad = 0;
  for (auto f = paths.rbegin(); f != paths.rend() && (max == 0 || out.size() < max); ++f) {
    std::ifstream in(*f, std::ios::binary);
    if (!in) return NotFoundError("audit log file cannot be read: ").Append(*f);
    std::vector<IssuedRecord> mine;
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(kOutcomeMethod) == std::string::npos) continue;
      IssuedRecord r;
      if (ParseIssuedRecord(line, r)) {
        mine.push_back(std::move(r));
      } else if (line.find("\"outcome\":\"OK\"") != std::string::npos) {
        ++bad;
      }
    }
    out.insert(out.begin(), std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()));
  }
  if (max != 0 && out.size() > max) out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(out.size() - max));
  if (malformed != nullptr) *malformed = bad;
  return out;
}

}  // namespace pki::signer
