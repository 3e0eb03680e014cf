// audit_log_reader.h — what a test reads back from signerd's audit log: the
// records by sequence number, the shutdown anchor signerd prints, and
// `signerctl audit verify` over the log as the operator runs it.
#ifndef PKI_TESTS_SIGNERD_HARNESS_AUDIT_LOG_READER_H_
#define PKI_TESTS_SIGNERD_HARNESS_AUDIT_LOG_READER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "shell.h"

namespace pki::testing {

// AuditRecordLines maps seq -> line for every complete line with a "seq" of
// the log whose active file is |path| (rotated files included); a torn last
// line (no newline) is left out. Empty if there is no log.
std::map<uint64_t, std::string> AuditRecordLines(const std::string& path);

// The anchor signerd prints when it stops: "signerd: stopped; audit head seq
// SEQ sha256 HEAD".
struct AuditAnchor {
  std::string seq;
  std::string head;  // 64 hex digits
};

// LastShutdownAnchor returns the last anchor line in |signerd_stdout|, or
// nullopt if there is none.
std::optional<AuditAnchor> LastShutdownAnchor(const std::string& signerd_stdout);

// SignerctlAuditVerify runs `signerctl audit verify --log |path| |extra|`.
CommandResult SignerctlAuditVerify(const std::string& path, const std::string& extra = "");

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNERD_HARNESS_AUDIT_LOG_READER_H_
