// audit_verify.h — checking an audit log's hash chain offline.
#ifndef PKI_SIGNER_AUDIT_AUDIT_VERIFY_H_
#define PKI_SIGNER_AUDIT_AUDIT_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/status_or.h"

namespace pki::signer {

struct AuditVerifyReport {
  uint64_t records = 0;
  uint64_t first_seq = 0;  // 1 unless older files were pruned
  uint64_t last_seq = 0;
  std::string head_hash;   // hex SHA-256 of the last record (64 zeros if none): compare with an anchor
  bool torn_tail = false;  // the last file ends in a partial record (crash mid-write)
  std::string torn_tail_at;  // "file:line" of the partial record
};

// ListAuditFiles returns the files of the log whose active file is |path|:
// the rotated "<path>.NNNNNN" files in generation order, then |path| itself
// if it exists. Never fails (an unreadable folder yields what was found).
std::vector<std::string> ListAuditFiles(const std::string& path);

// VerifyAuditLog checks |paths| (oldest first) as one chain: every line is a
// well-formed record, each record's "prev" is the SHA-256 of the record
// before it (across files), sequence numbers go up by one, generations go up
// by one per file and are constant inside a file, and the first record of a
// complete log (seq 1) links to 64 zeros. DATA_LOSS naming "file:line: what"
// at the first break (an edited, reordered, inserted or removed record, or a
// cut file); NOT_FOUND if a file can't be read. A partial last line of the
// last file is not an error: it is reported in torn_tail (the record was never
// acknowledged). Records cut off the end of the newest file leave no trace in
// the chain itself: compare head_hash/last_seq with an anchor (signerd logs
// its head at shutdown and exports last_seq as a metric).
StatusOr<AuditVerifyReport> VerifyAuditLog(const std::vector<std::string>& paths);

}  // namespace pki::signer

#endif  // PKI_SIGNER_AUDIT_AUDIT_VERIFY_H_
