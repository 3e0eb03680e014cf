// display.h — the appliance's own screen, the one output the host cannot
// forge. Participants compare what it shows (the SHA-256 of the exact request
// in hex and as PGP words, the device state) with what the host claims.
#ifndef PKI_HW_DISPLAY_H_
#define PKI_HW_DISPLAY_H_

#include <cstddef>
#include <span>
#include <string_view>

#include "base/status.h"

namespace pki::hw {

class Display {
 public:
  virtual ~Display() = default;

  // MaxLineLength is the widest line the screen shows in full; the device
  // wraps longer content itself. Never fails.
  virtual size_t MaxLineLength() const = 0;

  // Show replaces the screen's content with |lines|, top to bottom (longer
  // lines are cut, lines beyond the screen's height are dropped). Borrows
  // |lines| for the call. Returns UNAVAILABLE if the screen failed; the
  // device must then not ask participants to compare anything.
  [[nodiscard]] virtual Status Show(std::span<const std::string_view> lines) = 0;
};

}  // namespace pki::hw

#endif  // PKI_HW_DISPLAY_H_
