// Fuzzes signerd's config validation (YAML through yaml-cpp, then every
// field check): a value or a list of problems, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::vector<std::string> errors;
  auto config = pki::signer::ParseConfigText(std::string(reinterpret_cast<const char*>(data), size),
                                             "/nonexistent-fuzz-base", &errors);
  if (!config.ok() && errors.empty()) pki::Panic("rejected config without a named problem");
  return 0;
}
