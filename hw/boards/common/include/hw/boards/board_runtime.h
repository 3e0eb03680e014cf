// board_runtime.h — what the board's startup code offers the firmware: the
// console (semihosting), the exit path (zeroize RAM, report the code, halt),
// memory figures, and the panic hook.
//
// Boot: Reset_Handler (startup.cc) copies .data, zeroes .bss, paints the
// stack (for GetMemoryUse), sets the Cortex-M33 stack limit, runs static
// constructors, calls main() and hands its return value to ExitEmulator.
#ifndef PKI_HW_BOARDS_BOARD_RUNTIME_H_
#define PKI_HW_BOARDS_BOARD_RUNTIME_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "hw/entropy.h"

namespace pki::hw::board {

// Exit codes the QEMU process reports besides main()'s own.
inline constexpr int kExitPanic = 134;  // Panic()/PKI_CHECK, stack smashing, abort()
inline constexpr int kExitFault = 135;  // HardFault (incl. Cortex-M33 stack overflow)

// ConsoleWrite prints |text| on the host's stdout (semihosting). Never
// fails; output is dropped if the host refuses it. Never pass secrets.
void ConsoleWrite(std::string_view text);
// ConsoleWriteDec / ConsoleWriteHex print |value| in decimal / 0x-hex.
void ConsoleWriteDec(uint64_t value);
void ConsoleWriteHex(uint32_t value);

// ExitEmulator zeroizes all of RAM (stack included), then reports |code| to
// the emulator as the exit status (SYS_EXIT_EXTENDED) and halts. On a board
// without a debugger the report faults and the core locks up: halted either way.
[[noreturn]] void ExitEmulator(int code);

struct MemoryUse {
  size_t static_bytes = 0;    // .data + .bss
  size_t heap_capacity = 0;   // bytes between .bss and the stack
  size_t heap_peak = 0;       // highest break malloc asked for (_sbrk)
  size_t stack_capacity = 0;  // the main stack
  size_t stack_peak = 0;      // deepest stack use seen (painted at boot)
};

// GetMemoryUse returns the RAM figures above. Never fails.
MemoryUse GetMemoryUse();

// SeedStackCanary replaces the -fstack-protector canary (a link-time
// constant until then) with 4 bytes from |source|, one of them forced to
// zero (a string overflow cannot copy past it). Protected frames live at the
// call keep the old value and would fail their check on return: call it from
// a frame that never returns (main's service loop), before serving. The
// source's error if it fails (the canary is then unchanged).
[[nodiscard]] Status SeedStackCanary(EntropySource& source);

// RepaintStack paints the unused stack below the caller's frame again, so
// the next GetMemoryUse().stack_peak is the deepest use since this call
// (per-operation stack peaks). Call it from a shallow frame (main's loop).
void RepaintStack();

}  // namespace pki::hw::board

// PkiPanicHook (strong; base/ has a weak default) prints |what|, zeroizes
// all RAM and halts with kExitPanic. |what| must not hold a secret.
extern "C" [[noreturn]] void PkiPanicHook(const char* what);

#endif  // PKI_HW_BOARDS_BOARD_RUNTIME_H_
