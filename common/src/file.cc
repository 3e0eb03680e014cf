#include "common/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace pki {
namespace {

Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  StatusCode code = (err == ENOENT) ? StatusCode::kNotFound
                    : (err == EACCES || err == EPERM) ? StatusCode::kPermissionDenied
                                                      : StatusCode::kInternal;
  return Status(code, what).Append(" ").Append(path).Append(": ").Append(std::strerror(err));
}

class Fd final {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status ReadAll(int fd, const std::string& path, size_t max_size, std::string* out) {
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path, errno);
    }
    if (n == 0) return OkStatus();
    if (out->size() + static_cast<size_t>(n) > max_size) {
      return InvalidArgumentError("file too large: ").Append(path);
    }
    out->append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

StatusOr<std::string> ReadFile(const std::string& path, size_t max_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path, errno);
  std::string out;
  PKI_RETURN_IF_ERROR(ReadAll(fd.get(), path, max_size, &out));
  return out;
}

StatusOr<SecretBuffer> ReadSecretFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat", path, errno);
  if ((st.st_mode & 077) != 0) {
    return PermissionDeniedError("secret file is accessible by group or others (want 0600): ")
        .Append(path);
  }
  std::string raw;
  Status s = ReadAll(fd.get(), path, 4096, &raw);
  if (!s.ok()) {
    SecureZero(raw.data(), raw.size());
    return s;
  }
  size_t n = raw.size();
  if (n > 0 && raw[n - 1] == '\n') --n;
  if (n > 0 && raw[n - 1] == '\r') --n;
  SecretBuffer secret(ByteSpan(reinterpret_cast<const uint8_t*>(raw.data()), n));
  SecureZero(raw.data(), raw.size());
  return secret;
}

Status WriteFileAtomic(const std::string& path, ByteSpan data, mode_t mode) {
  std::filesystem::path target(path);
  std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".tmpXXXXXX")).string();
  int raw_fd = ::mkstemp(tmp.data());
  if (raw_fd < 0) return ErrnoStatus("create temp file for", path, errno);
  Fd fd(raw_fd);
  auto fail = [&](std::string_view what) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus(what, path, err);
  };
  if (::fchmod(fd.get(), mode) != 0) return fail("chmod");
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("fsync");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) (void)::fsync(dfd.get());
  return OkStatus();
}

Status MakePrivateDir(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return InternalError("mkdir ").Append(path).Append(": ").Append(ec.message());
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
  if (!S_ISDIR(st.st_mode)) return FailedPreconditionError("not a directory: ").Append(path);
  if ((st.st_mode & 077) != 0 && ::chmod(path.c_str(), 0700) != 0) {
    return ErrnoStatus("chmod 0700", path, errno);
  }
  return OkStatus();
}

}  // namespace pki
