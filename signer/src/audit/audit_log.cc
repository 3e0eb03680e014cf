#include "audit/audit_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "audit/audit_verify.h"
#include "common/file.h"

namespace pki::signer {
namespace {

Status Errno(std::string_view what, const std::string& path) {
  return InternalError(what).Append(" ").Append(path).Append(": ").Append(std::strerror(errno));
}

Status SyncDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open folder", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync folder", dir);
  return OkStatus();
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const AuditLogOptions& options) {
  if (options.path.empty()) return InvalidArgumentError("audit log path is empty");
  std::unique_ptr<AuditLog> log(new AuditLog(options));
  PKI_RETURN_IF_ERROR(log->Recover());
  log->writer_ = std::thread([raw = log.get()] { raw->WriterLoop(); });
  return log;
}

AuditLog::AuditLog(AuditLogOptions options) : options_(std::move(options)) {}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  writer_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

// Recover finds where the chain stands: the last record of the active file,
// or of the newest rotated file if the active one is missing or empty.
Status AuditLog::Recover() {
  std::vector<std::string> files = ListAuditFiles(options_.path);
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    auto text = ReadFile(*it, 1ull << 36);
    if (!text.ok()) return text.status();
    std::string& data = *text;
    const bool is_active = *it == options_.path;
    size_t end = data.size();
    if (!data.empty() && data.back() != '\n') {
      const size_t nl = data.rfind('\n');
      end = nl == std::string::npos ? 0 : nl + 1;
      if (!is_active) {
        return DataLossError("audit: rotated file has a torn last record: ").Append(*it);
      }
      // A torn tail was never acknowledged (Append returns after fdatasync of
      // whole lines): cut it off so the chain continues from the last record.
      torn_bytes_ = data.size() - end;
      if (::truncate(it->c_str(), static_cast<off_t>(end)) != 0) return Errno("truncate", *it);
      data.resize(end);
    }
    if (end == 0) continue;  // an empty active file: the chain is in a rotated one
    const size_t start = data.rfind('\n', end - 2);
    const std::string_view last(data.data() + (start == std::string::npos ? 0 : start + 1),
                                end - 1 - (start == std::string::npos ? 0 : start + 1));
    auto prefix = ParseAuditLinePrefix(last);
    if (!prefix.ok()) {
      return DataLossError("audit: last record of ").Append(*it).Append(" does not parse: ")
          .Append(prefix.status().message());
    }
    head_ = HashLine(last);
    seq_ = prefix->seq;
    gen_ = is_active ? prefix->gen : prefix->gen + 1;
    break;
  }
  // If the active file is missing (a crash between rotation's rename and the
  // new file), gen_ is already one past the newest rotated file.
  return OpenActive();
}

Status AuditLog::OpenActive() {
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return Errno("open audit log", options_.path);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return Errno("stat audit log", options_.path);
  size_ = static_cast<uint64_t>(st.st_size);
  return SyncDir(options_.path);
}

Status AuditLog::Rotate() {
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), ".%06llu", static_cast<unsigned long long>(gen_));
  const std::string rotated = options_.path + suffix;
  if (::access(rotated.c_str(), F_OK) == 0) {
    return InternalError("audit: rotation target exists: ").Append(rotated);
  }
  if (::rename(options_.path.c_str(), rotated.c_str()) != 0) return Errno("rename", options_.path);
  ::close(fd_);
  fd_ = -1;
  PKI_RETURN_IF_ERROR(SyncDir(options_.path));
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++gen_;
  }
  return OpenActive();
}

StatusOr<std::string> AuditLog::Append(const AuditRecord& record) {
  auto p = std::make_shared<Pending>();
  p->record = &record;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_.ok() || stop_) {
      return UnavailableError("audit log unavailable: result withheld");
    }
    queue_.push_back(p);
  }
  writer_cv_.notify_one();
  p->done.acquire();  // the writer set status and id before releasing
  if (!p->status.ok()) return p->status;
  return std::move(p->id);
}

void AuditLog::WriterLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    writer_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) return;
    std::deque<std::shared_ptr<Pending>> batch;
    batch.swap(queue_);
    Status s = failed_;
    lock.unlock();
    if (s.ok()) {
      s = WriteBatch(batch);
      if (!s.ok()) {
        lock.lock();
        failed_ = s;
        lock.unlock();
      }
    }
    // Every record of the batch is durable (or none is acknowledged): wake
    // each caller. The records were copied by WriteBatch, and |batch| keeps
    // each Pending alive until its caller has been released.
    for (const std::shared_ptr<Pending>& p : batch) {
      if (!s.ok()) p->status = UnavailableError("audit log write failed: result withheld");
      p->done.release();
    }
    batch.clear();
    lock.lock();
  }
}

Status AuditLog::WriteBatch(std::deque<std::shared_ptr<Pending>>& batch) {
  if (size_ >= options_.rotate_bytes) PKI_RETURN_IF_ERROR(Rotate());
  std::string buf;
  Sha256 head = head_;
  uint64_t seq = seq_;
  const int64_t now = NowUnixMs();
  for (const std::shared_ptr<Pending>& p : batch) {
    AuditRecord r = *p->record;
    if (r.time_unix_ms == 0) r.time_unix_ms = now;
    const std::string line = FormatAuditLine(r, head, gen_, ++seq);
    head = HashLine(line);
    buf.append(line).push_back('\n');
    p->id = AuditId(gen_, seq);
  }
  if (options_.faults != nullptr) PKI_RETURN_IF_ERROR(options_.faults->BeforeWrite());
  PKI_RETURN_IF_ERROR(WriteAll(fd_, buf, options_.path));
  if (options_.faults != nullptr) PKI_RETURN_IF_ERROR(options_.faults->BeforeSync());
  if (::fdatasync(fd_) != 0) return Errno("fdatasync", options_.path);
  std::lock_guard<std::mutex> lock(mu_);
  head_ = head;
  seq_ = seq;
  size_ += buf.size();
  ++syncs_;
  return OkStatus();
}

bool AuditLog::Healthy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_.ok() && !stop_;
}

std::string AuditLog::HeadHash() const {
  std::lock_guard<std::mutex> lock(mu_);
  return HexOf(head_);
}

uint64_t AuditLog::LastSeq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

uint64_t AuditLog::Generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return gen_;
}

uint64_t AuditLog::SyncCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return syncs_;
}

}  // namespace pki::signer
