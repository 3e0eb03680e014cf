// diagnostic.h — one problem found in a ceremony script, with where it is.
#ifndef PKI_CEREMONY_SCHEMA_DIAGNOSTIC_H_
#define PKI_CEREMONY_SCHEMA_DIAGNOSTIC_H_

#include <string>
#include <vector>

namespace pki::ceremony {

struct Diagnostic {
  int line = 0;    // 1-based; 0 when the problem is the script as a whole
  int column = 0;  // 1-based; 0 when unknown
  std::string message;

  // ToString returns "line L:C: message" ("script: message" for line 0).
  std::string ToString() const;
};

// JoinDiagnostics returns every diagnostic on its own line, prefixed with
// |file| ("file:L:C: message").
std::string JoinDiagnostics(const std::string& file, const std::vector<Diagnostic>& diagnostics);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_SCHEMA_DIAGNOSTIC_H_
