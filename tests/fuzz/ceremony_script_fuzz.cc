// Fuzzes the ceremony script parser and validator: any text must parse and
// validate, or fail with diagnostics that name a line — never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ceremony/schema/script.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::vector<pki::ceremony::Diagnostic> diags;
  auto script = pki::ceremony::Script::Parse(
      std::string_view(reinterpret_cast<const char*>(data), size), &diags);
  if (!script.ok() && diags.empty()) pki::Panic("invalid script without a diagnostic");
  return 0;
}
