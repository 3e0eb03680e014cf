// stream_display.h — Display for appliance-sim: each screen is appended to a
// file (or stderr) as a block of lines, so a person or a test can read what
// the appliance's screen would show.
#ifndef PKI_HW_HOST_STREAM_DISPLAY_H_
#define PKI_HW_HOST_STREAM_DISPLAY_H_

#include <cstdio>
#include <memory>
#include <string>

#include "base/status_or.h"
#include "hw/display.h"

namespace pki::hw::host {

class StreamDisplay final : public Display {
 public:
  // CreateForFile opens |path| for appending (created 0600) and returns a
  // display the caller owns; UNAVAILABLE if it cannot be opened.
  static StatusOr<std::unique_ptr<StreamDisplay>> CreateForFile(const std::string& path);
  // CreateForStderr returns a display that writes to stderr. Never fails.
  static std::unique_ptr<StreamDisplay> CreateForStderr();
  ~StreamDisplay() override;
  StreamDisplay(const StreamDisplay&) = delete;
  StreamDisplay& operator=(const StreamDisplay&) = delete;

  size_t MaxLineLength() const override { return 64; }
  // Writes "=== screen ===" then one "| <line>" per line, flushed.
  // UNAVAILABLE if the write fails.
  [[nodiscard]] Status Show(std::span<const std::string_view> lines) override;

 private:
  StreamDisplay(FILE* out, bool owned) : out_(out), owned_(owned) {}
  FILE* out_;
  bool owned_;
};

}  // namespace pki::hw::host

#endif  // PKI_HW_HOST_STREAM_DISPLAY_H_
