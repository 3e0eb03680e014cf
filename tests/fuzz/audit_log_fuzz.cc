// Fuzzes the signer's audit log verifier over arbitrary file contents: a
// report or an error naming the place, never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "audit/audit_verify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  static const std::string path = "/tmp/pki-audit-fuzz-" + std::to_string(::getpid());
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  if (size > 0 && std::fwrite(data, 1, size, f) != size) {
    std::fclose(f);
    return 0;
  }
  std::fclose(f);
  auto report = pki::signer::VerifyAuditLog({path});
  (void)report;
  std::remove(path.c_str());
  return 0;
}
