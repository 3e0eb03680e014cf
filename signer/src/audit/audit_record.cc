#include "audit/audit_record.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <charconv>
#include <ctime>

#include "base/hex.h"

namespace pki::signer {
namespace {

constexpr std::string_view kPrevField = "{\"prev\":\"";
constexpr std::string_view kGenField = "\",\"gen\":";
constexpr std::string_view kSeqField = ",\"seq\":";

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20 || c >= 0x7f) {
      // Control and non-ASCII bytes are escaped: a line stays one line of
      // printable ASCII whatever a client sends as its request id.
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

void Field(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(',');
  AppendJsonString(out, name);
  out.push_back(':');
  AppendJsonString(out, value);
}

void Field(std::string& out, std::string_view name, int64_t value) {
  out.push_back(',');
  AppendJsonString(out, name);
  out.push_back(':');
  out.append(std::to_string(value));
}

std::string Rfc3339(int64_t unix_ms) {
  const time_t secs = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return buf;
}

bool ReadUint(std::string_view& s, uint64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec != std::errc() || end == s.data()) return false;
  if (s[0] == '0' && end - s.data() > 1) return false;  // no leading zeros
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  return true;
}

}  // namespace

std::string HexOf(std::string_view bytes) {
  std::string out(bytes.size() * 2, '\0');
  auto n = HexEncode(std::span<char>(out.data(), out.size()), AsBytes(bytes));
  PKI_CHECK(n.ok());
  return out;
}

std::string HexOf(const Sha256& h) {
  return HexOf(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

Sha256 HashLine(std::string_view line) {
  Sha256 out{};
  SHA256(reinterpret_cast<const unsigned char*>(line.data()), line.size(), out.data());
  return out;
}

std::string AuditId(uint64_t gen, uint64_t seq) {
  return std::to_string(gen) + ":" + std::to_string(seq);
}

std::string FormatAuditLine(const AuditRecord& r, const Sha256& prev, uint64_t gen, uint64_t seq) {
  std::string out;
  out.reserve(384);
  out.append(kPrevField).append(HexOf(prev)).append(kGenField).append(std::to_string(gen));
  out.append(kSeqField).append(std::to_string(seq));
  Field(out, "time", Rfc3339(r.time_unix_ms));
  Field(out, "client", r.client);
  Field(out, "method", r.method);
  Field(out, "request_id", r.request_id);
  Field(out, "key", r.key);
  Field(out, "key_version", static_cast<int64_t>(r.key_version));
  Field(out, "key_id", r.key_id);
  Field(out, "alg", r.algorithm);
  Field(out, "input_sha256", r.input_sha256);
  Field(out, "outcome", r.outcome);
  Field(out, "latency_us", r.latency_us);
  Field(out, "detail", r.detail);
  if (!r.certificate.empty()) Field(out, "certificate", r.certificate);
  out.push_back('}');
  return out;
}

StatusOr<AuditLinePrefix> ParseAuditLinePrefix(std::string_view line) {
  AuditLinePrefix p;
  if (line.substr(0, kPrevField.size()) != kPrevField) {
    return InvalidArgumentError("not an audit record (bad prefix)");
  }
  line.remove_prefix(kPrevField.size());
  if (line.size() < 64) return InvalidArgumentError("truncated prev hash");
  auto n = HexDecode(MutableByteSpan(p.prev.data(), p.prev.size()), line.substr(0, 64));
  if (!n.ok() || *n != 32) return InvalidArgumentError("bad prev hash");
  line.remove_prefix(64);
  if (line.substr(0, kGenField.size()) != kGenField) return InvalidArgumentError("missing gen");
  line.remove_prefix(kGenField.size());
  if (!ReadUint(line, &p.gen) || p.gen == 0) return InvalidArgumentError("bad gen");
  if (line.substr(0, kSeqField.size()) != kSeqField) return InvalidArgumentError("missing seq");
  line.remove_prefix(kSeqField.size());
  if (!ReadUint(line, &p.seq) || p.seq == 0) return InvalidArgumentError("bad seq");
  if (line.empty() || line.back() != '}' || (line.size() > 1 && line[0] != ',')) {
    return InvalidArgumentError("record not closed");
  }
  for (char c : line) {
    if (static_cast<unsigned char>(c) < 0x20) return InvalidArgumentError("control character in record");
  }
  return p;
}

}  // namespace pki::signer
