#include "firmware/testing/fw_check.h"

#include <cstring>

#include "hw/boards/board_runtime.h"

namespace pki::firmware {

using hw::board::ConsoleWrite;
using hw::board::ConsoleWriteDec;

bool Checker::Expect(bool ok, const char* expr, const char* file, int line) {
  if (ok) return true;
  ++failures_;
  ConsoleWrite("  FAILED at ");
  ConsoleWrite(std::string_view(file, std::strlen(file)));
  ConsoleWrite(":");
  ConsoleWriteDec(static_cast<uint64_t>(line));
  ConsoleWrite(": ");
  ConsoleWrite(std::string_view(expr, std::strlen(expr)));
  ConsoleWrite("\n");
  return false;
}

bool Checker::ExpectOk(const Status& status, const char* expr, const char* file, int line) {
  if (!Expect(status.ok(), expr, file, line)) {
    ConsoleWrite("    status: ");
    ConsoleWrite(StatusCodeName(status.code()));
    ConsoleWrite(": ");
    ConsoleWrite(status.message());
    ConsoleWrite("\n");
    return false;
  }
  return true;
}

int RunTests(std::span<const TestCase> tests, hw::Clock& clock) {
  size_t failed_tests = 0;
  for (const TestCase& test : tests) {
    Checker check;
    const uint64_t start = clock.MonotonicMillis();
    test.run(check);
    const uint64_t elapsed = clock.MonotonicMillis() - start;
    ConsoleWrite(check.failures() == 0 ? "[ OK ] " : "[FAIL] ");
    ConsoleWrite(std::string_view(test.name, std::strlen(test.name)));
    ConsoleWrite(" (");
    ConsoleWriteDec(elapsed);
    ConsoleWrite(" ms)\n");
    if (check.failures() != 0) ++failed_tests;
  }
  ConsoleWriteDec(tests.size() - failed_tests);
  ConsoleWrite("/");
  ConsoleWriteDec(tests.size());
  ConsoleWrite(" tests passed\n");
  return failed_tests == 0 ? 0 : 1;
}

}  // namespace pki::firmware
