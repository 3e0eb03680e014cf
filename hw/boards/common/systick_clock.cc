#include "hw/boards/systick_clock.h"

#include "hw/boards/board_config.h"
#include "hw/boards/semihosting.h"

namespace pki::hw::board {
namespace {

// SysTick registers (Armv7-M/Armv8-M system control space).
volatile uint32_t& Reg(uintptr_t address) { return *reinterpret_cast<volatile uint32_t*>(address); }
constexpr uintptr_t kSysTickCtrl = 0xE000E010u;
constexpr uintptr_t kSysTickLoad = 0xE000E014u;
constexpr uintptr_t kSysTickVal = 0xE000E018u;
constexpr uint32_t kCtrlEnable = 1u << 0;
constexpr uint32_t kCtrlTickInt = 1u << 1;
constexpr uint32_t kCtrlProcessorClock = 1u << 2;

// The tick count lives here because the interrupt handler must reach it;
// only the one SysTickClock reads it.
volatile uint32_t ticks_low = 0;
volatile uint32_t ticks_high = 0;
bool clock_exists = false;

}  // namespace

StatusOr<std::unique_ptr<SysTickClock>> SysTickClock::Create() {
  if (clock_exists) return FailedPreconditionError("SysTick clock already in use");
  clock_exists = true;
  ticks_low = 0;
  ticks_high = 0;
  Reg(kSysTickCtrl) = 0;
  Reg(kSysTickLoad) = kCoreClockHz / 1000u - 1u;
  Reg(kSysTickVal) = 0;
  Reg(kSysTickCtrl) = kCtrlEnable | kCtrlTickInt | kCtrlProcessorClock;
  return std::unique_ptr<SysTickClock>(new SysTickClock());
}

SysTickClock::~SysTickClock() {
  Reg(kSysTickCtrl) = 0;
  clock_exists = false;
}

StatusOr<int64_t> SysTickClock::NowUnixSeconds() { return semihost::TimeSeconds(); }

uint64_t SysTickClock::MonotonicMillis() {
  // Read high, low, high again: retry if the low word wrapped in between.
  uint32_t high;
  uint32_t low;
  do {
    high = ticks_high;
    low = ticks_low;
  } while (high != ticks_high);
  return (static_cast<uint64_t>(high) << 32) | low;
}

}  // namespace pki::hw::board

extern "C" void PkiBoardSysTickHandler() {
  using pki::hw::board::ticks_high;
  using pki::hw::board::ticks_low;
  const uint32_t next = ticks_low + 1u;
  if (next == 0) ticks_high = ticks_high + 1u;
  ticks_low = next;
}
