// console_display.h — hw::Display for the emulated boards: QEMU's MPS2
// boards have no screen (the real MPS2's LCD is not modelled), so the
// "screen" is the semihosting console, framed so a person or a test can tell
// it apart from log lines. Each Show prints the whole screen again.
#ifndef PKI_HW_BOARDS_CONSOLE_DISPLAY_H_
#define PKI_HW_BOARDS_CONSOLE_DISPLAY_H_

#include "hw/display.h"

namespace pki::hw::board {

class ConsoleDisplay final : public Display {
 public:
  static constexpr size_t kLineLength = 64;
  static constexpr size_t kLines = 12;

  // See hw::Display: 64 columns, 12 lines. Show never fails.
  size_t MaxLineLength() const override { return kLineLength; }
  [[nodiscard]] Status Show(std::span<const std::string_view> lines) override;
};

}  // namespace pki::hw::board

#endif  // PKI_HW_BOARDS_CONSOLE_DISPLAY_H_
