#include "hw/boards/console_display.h"

#include "hw/boards/board_runtime.h"

namespace pki::hw::board {

Status ConsoleDisplay::Show(std::span<const std::string_view> lines) {
  ConsoleWrite("+---------------------------------------- screen ---------------+\n");
  size_t shown = 0;
  for (std::string_view line : lines) {
    if (shown++ == kLines) break;
    ConsoleWrite("| ");
    ConsoleWrite(line.substr(0, kLineLength));
    ConsoleWrite("\n");
  }
  ConsoleWrite("+----------------------------------------------------------------+\n");
  return OkStatus();
}

}  // namespace pki::hw::board
