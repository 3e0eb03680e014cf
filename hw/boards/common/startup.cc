// startup.cc — vector table, reset handler and fault handlers for the
// Cortex-M boards (M3 and M33). Secure world only on the M33; no RTOS.
#include <array>
#include <cstdint>

#include "hw/boards/board_config.h"
#include "hw/boards/board_runtime.h"

// Symbols from the linker script (hw/boards/common/firmware.ld.in).
extern "C" {
extern uint32_t __data_load__[];
extern uint32_t __data_start__[];
extern uint32_t __data_end__[];
extern uint32_t __bss_start__[];
extern uint32_t __bss_end__[];
extern uint32_t __stack_bottom__[];
extern uint32_t __stack_top__[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();

// The program's main(), called through its symbol (ISO C++ forbids calling
// main by name).
int PkiBoardApplicationMain() __asm__("main");
[[noreturn]] void Reset_Handler();
void PkiBoardDefaultHandler();
void PkiBoardHardFaultHandler();
[[noreturn]] void PkiBoardFaultReport(const uint32_t* frame, uint32_t exc_return);
// Device drivers define these strongly (systick_clock.cc, cmsdk_uart.cc);
// an image without the driver gets the default handler.
void PkiBoardSysTickHandler() __attribute__((weak, alias("PkiBoardDefaultHandler")));
void PkiBoardUartIrqHandler() __attribute__((weak, alias("PkiBoardDefaultHandler")));
}

namespace pki::hw::board {
// Stack painting pattern; GetMemoryUse (runtime.cc) finds the deepest use.
extern const uint32_t kStackPaint;
const uint32_t kStackPaint = 0x5AC3A55Cu;
}  // namespace pki::hw::board

namespace {

using Handler = void (*)();
using pki::hw::board::kNumIrqs;

struct VectorTable {
  const void* initial_sp;
  std::array<Handler, 15> exceptions;
  std::array<Handler, kNumIrqs> irqs;
};

constexpr std::array<Handler, kNumIrqs> MakeIrqTable() {
  std::array<Handler, kNumIrqs> table{};
  for (Handler& h : table) h = &PkiBoardDefaultHandler;
  for (uint32_t irq : pki::hw::board::kUart0Irqs) table[irq] = &PkiBoardUartIrqHandler;
  return table;
}

}  // namespace

// Exceptions 1..15: Reset, NMI, HardFault, MemManage, BusFault, UsageFault,
// SecureFault (M33; reserved on M3), 3 reserved, SVCall, DebugMonitor,
// reserved, PendSV, SysTick. Faults not enabled separately escalate to HardFault.
extern "C" __attribute__((section(".vectors"), used)) const VectorTable pki_board_vectors = {
    __stack_top__,
    {&Reset_Handler, &PkiBoardDefaultHandler, &PkiBoardHardFaultHandler,
     &PkiBoardHardFaultHandler, &PkiBoardHardFaultHandler, &PkiBoardHardFaultHandler,
     &PkiBoardHardFaultHandler, nullptr, nullptr, nullptr, &PkiBoardDefaultHandler,
     &PkiBoardDefaultHandler, nullptr, &PkiBoardDefaultHandler, &PkiBoardSysTickHandler},
    MakeIrqTable(),
};

// No stack protector: the canary (.data) is not initialized yet on entry.
extern "C" [[noreturn]] __attribute__((no_stack_protector)) void Reset_Handler() {
#if defined(__ARM_ARCH_8M_MAIN__)
  // Armv8-M: overflowing the main stack faults instead of corrupting .bss.
  asm volatile("msr msplim, %0" : : "r"(__stack_bottom__));
#endif
  const uint32_t* src = __data_load__;
  for (uint32_t* dst = __data_start__; dst < __data_end__;) *dst++ = *src++;
  for (uint32_t* p = __bss_start__; p < __bss_end__;) *p++ = 0;
  // Paint the unused stack below this frame so the peak can be measured.
  auto* here = static_cast<uint32_t*>(__builtin_frame_address(0)) - 32;
  for (volatile uint32_t* p = __stack_bottom__; p < here;) *p++ = pki::hw::board::kStackPaint;
  for (auto** init = __init_array_start; init < __init_array_end; ++init) (**init)();
  pki::hw::board::ExitEmulator(PkiBoardApplicationMain());
}

extern "C" void PkiBoardDefaultHandler() {
  uint32_t ipsr;
  asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  pki::hw::board::ConsoleWrite("unexpected exception ");
  pki::hw::board::ConsoleWriteDec(ipsr);
  PkiPanicHook("unexpected interrupt");
}

// Moves to a fresh stack (the fault may be a stack overflow) and reports the
// stacked frame of the faulting code.
extern "C" __attribute__((naked)) void PkiBoardHardFaultHandler() {
  asm volatile(
      "mrs r0, msp\n"
      "mov r1, lr\n"
      "ldr r2, =__stack_top__\n"
      "msr msp, r2\n"
      "b PkiBoardFaultReport\n"
      ".ltorg\n");
}

extern "C" [[noreturn]] void PkiBoardFaultReport(const uint32_t* frame, uint32_t exc_return) {
  using pki::hw::board::ConsoleWrite;
  using pki::hw::board::ConsoleWriteHex;
  const auto reg = [](uintptr_t address) { return *reinterpret_cast<volatile uint32_t*>(address); };
  ConsoleWrite("\nHARD FAULT pc=");
  ConsoleWriteHex(frame[6]);
  ConsoleWrite(" lr=");
  ConsoleWriteHex(frame[5]);
  ConsoleWrite(" exc_return=");
  ConsoleWriteHex(exc_return);
  ConsoleWrite(" cfsr=");
  ConsoleWriteHex(reg(0xE000ED28u));
  ConsoleWrite(" hfsr=");
  ConsoleWriteHex(reg(0xE000ED2Cu));
  ConsoleWrite(" bfar=");
  ConsoleWriteHex(reg(0xE000ED38u));
  ConsoleWrite("\nzeroizing RAM and halting\n");
  pki::hw::board::ExitEmulator(pki::hw::board::kExitFault);
}
