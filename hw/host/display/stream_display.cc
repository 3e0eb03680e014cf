#include "hw/host/stream_display.h"

#include <fcntl.h>
#include <unistd.h>

namespace pki::hw::host {

StatusOr<std::unique_ptr<StreamDisplay>> StreamDisplay::CreateForFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot open the display file");
  FILE* f = ::fdopen(fd, "a");
  if (f == nullptr) {
    ::close(fd);
    return UnavailableError("fdopen failed for the display file");
  }
  return std::unique_ptr<StreamDisplay>(new StreamDisplay(f, true));
}

std::unique_ptr<StreamDisplay> StreamDisplay::CreateForStderr() {
  return std::unique_ptr<StreamDisplay>(new StreamDisplay(stderr, false));
}

StreamDisplay::~StreamDisplay() {
  if (owned_) std::fclose(out_);
}

Status StreamDisplay::Show(std::span<const std::string_view> lines) {
  bool ok = std::fputs("=== screen ===\n", out_) >= 0;
  for (std::string_view line : lines) {
    size_t n = line.size() < MaxLineLength() ? line.size() : MaxLineLength();
    ok = ok && std::fprintf(out_, "| %.*s\n", static_cast<int>(n), line.data()) >= 0;
  }
  ok = ok && std::fflush(out_) == 0;
  return ok ? OkStatus() : UnavailableError("display write failed");
}

}  // namespace pki::hw::host
