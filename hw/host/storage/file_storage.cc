#include "hw/host/file_storage.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <utility>

namespace pki::hw {
namespace {

Status OsError(StatusCode code, std::string_view what, const std::string& path, int err) {
  return Status(code, what).Append(" ").Append(path).Append(": ").Append(std::strerror(err));
}

Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  const StatusCode code = (err == ENOSPC || err == EDQUOT) ? StatusCode::kResourceExhausted
                                                           : StatusCode::kUnavailable;
  return OsError(code, what, path, err);
}

}  // namespace

StatusOr<std::unique_ptr<FileSlotMedium>> FileSlotMedium::Create(const std::string& dir) {
  if (dir.empty()) return InvalidArgumentError("file storage: empty directory path");
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return OsError(StatusCode::kUnavailable, "file storage: cannot create", dir, errno);
  }
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOTDIR) {
      return Status(StatusCode::kFailedPrecondition, "file storage: not a directory: ")
          .Append(dir);
    }
    return OsError(StatusCode::kUnavailable, "file storage: cannot open", dir, errno);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return OsError(StatusCode::kUnavailable, "file storage: cannot stat", dir, err);
  }
  if ((st.st_mode & 077) != 0 || st.st_uid != ::geteuid()) {
    ::close(fd);
    return Status(StatusCode::kPermissionDenied,
                  "file storage: directory must be mode 0700 and ours: ")
        .Append(dir);
  }
  return std::unique_ptr<FileSlotMedium>(new FileSlotMedium(dir, fd));
}

FileSlotMedium::~FileSlotMedium() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

std::string FileSlotMedium::SlotName(uint32_t key, uint8_t slot) const {
  char name[24];
  std::snprintf(name, sizeof(name), "k%08x.%u", static_cast<unsigned>(key),
                static_cast<unsigned>(slot));
  return std::string(name);
}

StatusOr<size_t> FileSlotMedium::ReadSlot(uint32_t key, uint8_t slot, MutableByteSpan out) {
  const std::string name = SlotName(key, slot);
  const int fd = ::openat(dir_fd_, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError("file storage: slot empty");
    return OsError(StatusCode::kUnavailable, "file storage: cannot open", dir_ + "/" + name,
                   errno);
  }
  size_t total = 0;
  uint8_t extra = 0;
  for (;;) {
    // Read one byte past |out| to tell "fits" from "too long".
    uint8_t* dst = total < out.size() ? out.data() + total : &extra;
    const size_t want = total < out.size() ? out.size() - total : 1;
    const ssize_t n = ::read(fd, dst, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return OsError(StatusCode::kUnavailable, "file storage: cannot read", dir_ + "/" + name,
                     err);
    }
    if (n == 0) break;
    if (total >= out.size()) {
      ::close(fd);
      return OutOfRangeError("file storage: slot larger than expected");
    }
    total += static_cast<size_t>(n);
  }
  ::close(fd);
  return total;
}

Status FileSlotMedium::WriteSlot(uint32_t key, uint8_t slot, ByteSpan image) {
  const std::string name = SlotName(key, slot);
  const std::string path = dir_ + "/" + name;
  const int fd = ::openat(dir_fd_, name.c_str(),
                          O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoStatus("file storage: cannot open", path, errno);
  if (::fchmod(fd, 0600) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus("file storage: cannot chmod", path, err);
  }
  size_t done = 0;
  while (done < image.size()) {
    const ssize_t n = ::write(fd, image.data() + done, image.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return ErrnoStatus("file storage: cannot write", path, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus("file storage: cannot fsync", path, err);
  }
  if (::close(fd) != 0) return ErrnoStatus("file storage: cannot close", path, errno);
  if (::fsync(dir_fd_) != 0) return ErrnoStatus("file storage: cannot fsync", dir_, errno);
  return OkStatus();
}

Status FileSlotMedium::EraseSlot(uint32_t key, uint8_t slot) {
  const std::string name = SlotName(key, slot);
  if (::unlinkat(dir_fd_, name.c_str(), 0) != 0) {
    if (errno == ENOENT) return OkStatus();
    return ErrnoStatus("file storage: cannot remove", dir_ + "/" + name, errno);
  }
  if (::fsync(dir_fd_) != 0) return ErrnoStatus("file storage: cannot fsync", dir_, errno);
  return OkStatus();
}

StatusOr<std::unique_ptr<Storage>> CreateFileStorage(const std::string& dir,
                                                     size_t max_record_size) {
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<FileSlotMedium> medium, FileSlotMedium::Create(dir));
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<TwoSlotStorage> storage,
                       TwoSlotStorage::Create(std::move(medium), max_record_size));
  return std::unique_ptr<Storage>(std::move(storage));
}

}  // namespace pki::hw
