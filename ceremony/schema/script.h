// script.h — a ceremony script parsed and validated as a whole before any
// step runs (DESIGN invariant 7: a bad script changes nothing).
//
// Parse errors come from protobuf's TextFormat parser with their line and
// column; semantic errors (unknown person in a step, M > N, a missing
// operation parameter, duplicate names, shares collected before attendance,
// an operation begun but never executed, ...) are located through the
// parser's ParseInfoTree, so every message names the line.
#ifndef PKI_CEREMONY_SCHEMA_SCRIPT_H_
#define PKI_CEREMONY_SCHEMA_SCRIPT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status_or.h"
#include "ceremony/schema/diagnostic.h"
#include "ceremony/v1/script.pb.h"

namespace pki::ceremony {

// The names of the lint checks a script may list in lint_exceptions.
const std::vector<std::string>& KnownLintNames();

// StepKind returns the name of |step|'s action field ("collect_shares"), or
// "" if none is set.
std::string StepKind(const v1::Step& step);

// IsOperationStep: the step begins an operation on the appliance
// (init_root and the quorum operations).
bool IsOperationStep(const v1::Step& step);

class Script final {
 public:
  // Parse parses and validates |text|. On failure returns INVALID_ARGUMENT
  // carrying the first problem ("line 12: ...") and fills |out_diagnostics|
  // (if not null) with every problem found, in line order. Returns a new
  // Script the caller owns.
  static StatusOr<std::unique_ptr<Script>> Parse(std::string_view text,
                                                 std::vector<Diagnostic>* out_diagnostics);

  const v1::Script& proto() const { return script_; }
  // SHA-256 of the script text as given (recorded in the transcript).
  const std::string& sha256() const { return sha256_; }
  // StepLine returns the 1-based line where step |index| starts.
  int StepLine(int index) const;
  // FindStep returns the index of the step with |id|, or -1.
  int FindStep(std::string_view id) const;
  // CustodianIndex returns the 1-based share index of custodian |name|, or 0.
  uint32_t CustodianIndex(std::string_view name) const;
  // RoleOf returns "administrator", "custodian", "witness" or "" for |name|.
  std::string RoleOf(std::string_view name) const;
  // HasLintException: |name| is listed in lint_exceptions.
  bool HasLintException(std::string_view name) const;

 private:
  Script() = default;
  v1::Script script_;
  std::string sha256_;
  std::vector<int> step_lines_;
};

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_SCHEMA_SCRIPT_H_
