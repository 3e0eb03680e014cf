#include "hw/fake/capture_display.h"

namespace pki::hw::fake {

Status CaptureDisplay::Show(std::span<const std::string_view> lines) {
  if (failing_) return UnavailableError("display failure injected");
  std::vector<std::string> screen;
  for (std::string_view l : lines) screen.emplace_back(l.substr(0, MaxLineLength()));
  screens_.push_back(std::move(screen));
  return OkStatus();
}

std::string CaptureDisplay::Current() const {
  std::string out;
  if (screens_.empty()) return out;
  for (const std::string& l : screens_.back()) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

}  // namespace pki::hw::fake
