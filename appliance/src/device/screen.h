// screen.h — composes what the appliance shows on its Display: fixed-size
// lines, long text wrapped at spaces, digests as grouped hex and PGP words.
// No heap: at most kMaxLines lines of kMaxWidth characters.
#ifndef PKI_APPLIANCE_DEVICE_SCREEN_H_
#define PKI_APPLIANCE_DEVICE_SCREEN_H_

#include <cstddef>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace pki::appliance::device {

class Screen final {
 public:
  static constexpr size_t kMaxLines = 40;
  static constexpr size_t kMaxWidth = 64;

  // |width| is the display's line length (clamped to 16..kMaxWidth).
  explicit Screen(size_t width);

  // AddText adds |text| (borrowed), splitting it at '\n' and wrapping each
  // part at spaces (or hard, for a word longer than a line). Returns
  // RESOURCE_EXHAUSTED if the screen is full (what fit is kept).
  [[nodiscard]] Status AddText(std::string_view text);
  // AddHex adds |data| as lower-case hex in groups of 8 characters, as many
  // groups per line as fit.
  [[nodiscard]] Status AddHex(ByteSpan data);
  // AddPgpWords adds |data| as PGP words, wrapped.
  [[nodiscard]] Status AddPgpWords(ByteSpan data);

  // Lines borrows the composed lines; valid while this Screen lives and is
  // not changed.
  std::span<const std::string_view> Lines() const {
    return std::span<const std::string_view>(views_, count_);
  }

 private:
  [[nodiscard]] Status AddLine(std::string_view line);

  size_t width_;
  size_t count_ = 0;
  char text_[kMaxLines][kMaxWidth] = {};
  std::string_view views_[kMaxLines];
};

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_SCREEN_H_
