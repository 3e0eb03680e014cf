#include "audit/audit_verify.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>

#include "audit/audit_record.h"
#include "common/file.h"

namespace pki::signer {
namespace {

Status Break(const std::string& file, size_t line, std::string_view what) {
  // Keep the file's last component so the message fits the Status.
  const size_t slash = file.rfind('/');
  const std::string_view base = slash == std::string::npos ? std::string_view(file)
                                                           : std::string_view(file).substr(slash + 1);
  return DataLossError(base).Append(":").AppendNumber(line).Append(": ").Append(what);
}

}  // namespace

std::vector<std::string> ListAuditFiles(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::vector<std::pair<uint64_t, std::string>> rotated;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() != base.size() + 7 || name.compare(0, base.size(), base) != 0 ||
          name[base.size()] != '.') {
        continue;
      }
      const std::string digits = name.substr(base.size() + 1);
      if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
      rotated.emplace_back(std::stoull(digits), (slash == std::string::npos ? "" : dir + "/") + name);
    }
    ::closedir(d);
  }
  std::sort(rotated.begin(), rotated.end());
  std::vector<std::string> out;
  for (auto& [gen, name] : rotated) out.push_back(std::move(name));
  if (::access(path.c_str(), F_OK) == 0) out.push_back(path);
  return out;
}

StatusOr<AuditVerifyReport> VerifyAuditLog(const std::vector<std::string>& paths) {
  AuditVerifyReport report;
  bool have_prev = false;
  Sha256 prev_hash{};
  uint64_t prev_seq = 0;
  uint64_t prev_gen = 0;
  for (size_t f = 0; f < paths.size(); ++f) {
    const std::string& file = paths[f];
    auto text = ReadFile(file, 1ull << 36);
    if (!text.ok()) return text.status();
    std::string_view data(*text);
    const bool last_file = f + 1 == paths.size();
    uint64_t file_gen = 0;
    size_t line_no = 0;
    while (!data.empty()) {
      ++line_no;
      const size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        if (!last_file) return Break(file, line_no, "partial record in a rotated file");
        report.torn_tail = true;
        report.torn_tail_at = file + ":" + std::to_string(line_no);
        break;
      }
      const std::string_view line = data.substr(0, nl);
      data.remove_prefix(nl + 1);
      auto p = ParseAuditLinePrefix(line);
      if (!p.ok()) return Break(file, line_no, p.status().message());
      if (file_gen == 0) {
        file_gen = p->gen;
        if (have_prev && file_gen != prev_gen + 1) {
          return Break(file, line_no, "generation does not follow the previous file");
        }
      } else if (p->gen != file_gen) {
        return Break(file, line_no, "generation changes inside a file");
      }
      if (!have_prev) {
        report.first_seq = p->seq;
        if (p->seq == 1 && p->prev != Sha256{}) {
          return Break(file, line_no, "first record does not start the chain");
        }
      } else {
        if (p->seq != prev_seq + 1) {
          return Break(file, line_no, "sequence jumps from ").AppendNumber(prev_seq).Append(" to ")
              .AppendNumber(p->seq);
        }
        if (p->prev != prev_hash) {
          return Break(file, line_no, "hash chain broken: previous record was altered or removed");
        }
      }
      have_prev = true;
      prev_hash = HashLine(line);
      prev_seq = p->seq;
      prev_gen = p->gen;
      ++report.records;
    }
  }
  report.last_seq = prev_seq;
  report.head_hash = HexOf(prev_hash);  // 64 zeros for an empty log: where the chain starts
  return report;
}

}  // namespace pki::signer
