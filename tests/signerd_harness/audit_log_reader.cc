#include "audit_log_reader.h"

#include <fstream>
#include <sstream>

#include "audit/audit_verify.h"

namespace pki::testing {

std::map<uint64_t, std::string> AuditRecordLines(const std::string& path) {
  std::map<uint64_t, std::string> out;
  for (const std::string& file : signer::ListAuditFiles(path)) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      const std::string line = text.substr(start, nl - start);
      const size_t at = line.find("\"seq\":");
      if (at == std::string::npos) continue;
      out[std::stoull(line.substr(at + 6))] = line;
    }
  }
  return out;
}

std::optional<AuditAnchor> LastShutdownAnchor(const std::string& signerd_stdout) {
  static const std::string kPrefix = "signerd: stopped; audit head seq ";
  const size_t at = signerd_stdout.rfind(kPrefix);
  if (at == std::string::npos) return std::nullopt;
  const std::string tail = signerd_stdout.substr(at + kPrefix.size());
  const size_t space = tail.find(' ');
  const size_t sha = tail.find("sha256 ");
  if (space == std::string::npos || sha == std::string::npos || tail.size() < sha + 7 + 64) return std::nullopt;
  return AuditAnchor{tail.substr(0, space), tail.substr(sha + 7, 64)};
}

CommandResult SignerctlAuditVerify(const std::string& path, const std::string& extra) {
  return RunSignerctl("audit verify --log " + path + (extra.empty() ? "" : " " + extra));
}

}  // namespace pki::testing
