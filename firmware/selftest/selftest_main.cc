// selftest_main.cc — the bring-up image. Arguments (QEMU -append):
//   storage=<host folder>   where the storage checks keep their slot files
//   mode=panic              instead of the checks, break an invariant: the
//                           image must print the panic, zeroize and exit 134
// Exit code: 0 if every check passed, 1 if one failed (see fw_check.h).
#include <array>

#include "base/status.h"
#include "firmware/selftest/checks.h"
#include "firmware/testing/fw_check.h"
#include "hw/boards/board_args.h"
#include "hw/boards/board_config.h"
#include "hw/boards/board_runtime.h"
#include "hw/boards/systick_clock.h"

namespace {

using pki::firmware::TestCase;
namespace selftest = pki::firmware::selftest;

constexpr std::array<TestCase, 9> kTests = {{
    {"base.Status", &selftest::CheckStatus},
    {"base.StatusOr", &selftest::CheckStatusOr},
    {"base.SecretArray", &selftest::CheckSecretArray},
    {"base.Crc32", &selftest::CheckCrc32},
    {"base.Hex", &selftest::CheckHex},
    {"board.Clock", &selftest::CheckClock},
    {"board.TestOnlyEntropy", &selftest::CheckEntropy},
    {"board.SemihostStorage", &selftest::CheckStorage},
    {"board.StackCanary", &selftest::CheckStackCanary},
}};

// Spins until the SysTick clock has advanced |ms|, bounded so a dead timer
// fails instead of hanging.
bool ClockAdvances(pki::hw::Clock& clock, uint64_t ms) {
  const uint64_t start = clock.MonotonicMillis();
  for (uint32_t spins = 0; spins < 400'000'000u; ++spins) {
    if (clock.MonotonicMillis() - start >= ms) return true;
  }
  return false;
}

}  // namespace

int main() {
  using pki::hw::board::ConsoleWrite;
  using pki::hw::board::ConsoleWriteDec;
  ConsoleWrite("fw_selftest on ");
  ConsoleWrite(pki::hw::board::kBoardName);
  ConsoleWrite(" (");
  ConsoleWrite(pki::hw::board::kCpuName);
  ConsoleWrite(")\n");
  const pki::hw::board::BoardArgs args = pki::hw::board::BoardArgs::Read();
  if (args.Get("mode") == "panic") {
    PKI_CHECK(args.Get("mode") == "no panic");  // a broken invariant on purpose
    return 2;                                   // not reached
  }
  selftest::SetStorageFolder(args.Get("storage"));

  auto clock = pki::hw::board::SysTickClock::Create();
  if (!clock.ok()) {
    ConsoleWrite("no clock\n");
    return 1;
  }
  if (!ClockAdvances(**clock, 20)) {
    ConsoleWrite("SysTick does not advance\n");
    return 1;
  }
  auto wall = (*clock)->NowUnixSeconds();
  if (!wall.ok() || *wall < 1'700'000'000) {
    ConsoleWrite("host wall clock unavailable or before 2023\n");
    return 1;
  }
  const int rc = pki::firmware::RunTests(kTests, **clock);

  const pki::hw::board::MemoryUse use = pki::hw::board::GetMemoryUse();
  ConsoleWrite("ram: static ");
  ConsoleWriteDec(use.static_bytes);
  ConsoleWrite(" B, heap peak ");
  ConsoleWriteDec(use.heap_peak);
  ConsoleWrite("/");
  ConsoleWriteDec(use.heap_capacity);
  ConsoleWrite(" B, stack peak ");
  ConsoleWriteDec(use.stack_peak);
  ConsoleWrite("/");
  ConsoleWriteDec(use.stack_capacity);
  ConsoleWrite(" B\n");
  return rc;
}
