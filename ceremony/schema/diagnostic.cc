#include "ceremony/schema/diagnostic.h"

namespace pki::ceremony {

std::string Diagnostic::ToString() const {
  if (line == 0) return "script: " + message;
  std::string out = "line " + std::to_string(line);
  if (column > 0) out += ":" + std::to_string(column);
  return out + ": " + message;
}

std::string JoinDiagnostics(const std::string& file, const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    out += file;
    if (d.line > 0) {
      out += ":" + std::to_string(d.line);
      if (d.column > 0) out += ":" + std::to_string(d.column);
    }
    out += ": " + d.message + "\n";
  }
  return out;
}

}  // namespace pki::ceremony
