// capture_display.h — a Display that records every screen for assertions.
#ifndef PKI_HW_FAKE_CAPTURE_DISPLAY_H_
#define PKI_HW_FAKE_CAPTURE_DISPLAY_H_

#include <string>
#include <vector>

#include "hw/display.h"

namespace pki::hw::fake {

class CaptureDisplay final : public Display {
 public:
  CaptureDisplay() = default;
  size_t MaxLineLength() const override { return 64; }
  // Records a copy of |lines|; UNAVAILABLE while SetFailing(true).
  [[nodiscard]] Status Show(std::span<const std::string_view> lines) override;

  // Screens shown so far, oldest first; each screen is its lines.
  const std::vector<std::vector<std::string>>& Screens() const { return screens_; }
  // The current screen joined with '\n' ("" before the first Show).
  std::string Current() const;
  void SetFailing(bool failing) { failing_ = failing; }

 private:
  std::vector<std::vector<std::string>> screens_;
  bool failing_ = false;
};

}  // namespace pki::hw::fake

#endif  // PKI_HW_FAKE_CAPTURE_DISPLAY_H_
