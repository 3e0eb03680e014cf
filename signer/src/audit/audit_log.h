// audit_log.h — the signer's hash-chained, fsync'd audit log.
//
// Append journals one record durably (written and fdatasync'd) before it
// returns; concurrent appends are group-committed by one writer thread (one
// write and one fdatasync for everything queued meanwhile). A record that
// could not be made durable is reported as an error, and the log refuses
// every later append (the caller must not release the result it journals).
//
// Files: the active file is |path|; when it reaches rotate_bytes it is
// renamed to "<path>.<gen, 6 digits>" and a new active file is started whose
// first record links to the last record of the old one, so the chain runs
// unbroken across files. Opening an existing log continues its chain; a torn
// last record (crash mid-write: it was never acknowledged) is cut off.
#ifndef PKI_SIGNER_AUDIT_AUDIT_LOG_H_
#define PKI_SIGNER_AUDIT_AUDIT_LOG_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>

#include "audit/audit_record.h"
#include "base/status_or.h"

namespace pki::signer {

// AuditFaults lets a test make the log's file operations fail (the only
// fake in these tests: real files otherwise). Each hook returns OK to let the
// operation proceed.
class AuditFaults {
 public:
  virtual ~AuditFaults() = default;
  virtual Status BeforeWrite() { return OkStatus(); }
  virtual Status BeforeSync() { return OkStatus(); }
};

struct AuditLogOptions {
  std::string path;
  uint64_t rotate_bytes = 64u << 20;
  AuditFaults* faults = nullptr;  // borrowed; tests only
};

class AuditLog final {
 public:
  // Open opens or creates the log at options.path (mode 0600) and continues
  // its chain. INTERNAL/NOT_FOUND naming the file if it can't be opened;
  // DATA_LOSS if the last complete record does not parse. Returns a new log
  // the caller owns; its writer thread stops when it is destroyed.
  static StatusOr<std::unique_ptr<AuditLog>> Open(const AuditLogOptions& options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Append journals |record| (borrowed for the call) durably and returns its
  // audit id ("<gen>:<seq>"). UNAVAILABLE if it could not be made durable
  // (then, and after any earlier failure, nothing more is accepted).
  StatusOr<std::string> Append(const AuditRecord& record);

  // Path returns the active file's path (ListAuditFiles finds the rest).
  const std::string& Path() const { return options_.path; }

  // Healthy is false once a write or sync has failed (nothing more is accepted).
  bool Healthy() const;

  // Hex SHA-256 of the last durable record (the chain head), for anchoring.
  std::string HeadHash() const;
  uint64_t LastSeq() const;
  uint64_t Generation() const;
  // Bytes of a torn last record cut off when the log was opened (0 if none).
  uint64_t RecoveredTornBytes() const { return torn_bytes_; }
  // Records and fdatasyncs since open (group commit makes syncs < records).
  uint64_t SyncCount() const;

 private:
  // One Append waiting for its batch. Shared by the caller and the writer so
  // the writer can wake the caller after releasing mu_ (the caller wakes to
  // its result, not to a mutex convoy behind every other waiter).
  struct Pending {
    const AuditRecord* record = nullptr;
    Status status;
    std::string id;
    std::binary_semaphore done{0};  // released once status and id are set
  };

  explicit AuditLog(AuditLogOptions options);
  Status Recover();
  Status OpenActive();
  Status Rotate();
  void WriterLoop();
  Status WriteBatch(std::deque<std::shared_ptr<Pending>>& batch);

  const AuditLogOptions options_;
  int fd_ = -1;
  uint64_t torn_bytes_ = 0;

  mutable std::mutex mu_;
  std::condition_variable writer_cv_;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool stop_ = false;
  Status failed_;  // sticky: the first write/sync failure

  // Chain state; written only by the writer thread, under mu_ when published.
  Sha256 head_{};
  uint64_t gen_ = 1;
  uint64_t seq_ = 0;
  uint64_t size_ = 0;
  uint64_t syncs_ = 0;

  std::thread writer_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_AUDIT_AUDIT_LOG_H_
