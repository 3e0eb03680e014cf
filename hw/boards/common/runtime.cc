// runtime.cc — console, exit, panic, heap break and memory figures.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hw/boards/board_runtime.h"
#include "base/secret.h"
#include "hw/boards/semihosting.h"

extern "C" {
extern uint32_t __data_start__[];
extern uint32_t __bss_end__[];
extern uint8_t __heap_start__[];
extern uint8_t __heap_end__[];
extern uint32_t __stack_bottom__[];
extern uint32_t __stack_top__[];
[[noreturn]] void PkiBoardWipeAndExit(uint32_t code);
void* _sbrk(ptrdiff_t increment);
}

namespace pki::hw::board {
extern const uint32_t kStackPaint;

namespace {

// The console handle (":tt" opened for writing), opened on first use.
int console_handle = -2;

int ConsoleHandle() {
  if (console_handle == -2) {
    static const char kTt[] = ":tt";
    const uintptr_t block[3] = {reinterpret_cast<uintptr_t>(kTt), 4u /* "w" */, 3u};
    const auto handle = static_cast<int32_t>(semihost::Call(semihost::Op::kOpen,
                                                            reinterpret_cast<uintptr_t>(block)));
    console_handle = handle < 0 ? -1 : handle;
  }
  return console_handle;
}

uint8_t* heap_break = nullptr;
uint8_t* heap_high_water = nullptr;

}  // namespace

void ConsoleWrite(std::string_view text) {
  if (text.empty()) return;
  const int handle = ConsoleHandle();
  if (handle < 0) {
    for (char c : text) semihost::Call(semihost::Op::kWriteC, reinterpret_cast<uintptr_t>(&c));
    return;
  }
  semihost::Write(handle, AsBytes(text)).Ignore();
}

void ConsoleWriteDec(uint64_t value) {
  char digits[20];
  size_t n = 0;
  do {
    digits[sizeof(digits) - 1 - n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  ConsoleWrite(std::string_view(digits + sizeof(digits) - n, n));
}

void ConsoleWriteHex(uint32_t value) {
  static constexpr char kHex[] = "0123456789abcdef";
  char text[10] = {'0', 'x'};
  for (int i = 0; i < 8; ++i) text[2 + i] = kHex[(value >> (28 - 4 * i)) & 0xFu];
  ConsoleWrite(std::string_view(text, sizeof(text)));
}

void ExitEmulator(int code) { PkiBoardWipeAndExit(static_cast<uint32_t>(code) & 0xFFu); }

MemoryUse GetMemoryUse() {
  MemoryUse use;
  use.static_bytes = static_cast<size_t>(reinterpret_cast<uintptr_t>(__bss_end__) -
                                         reinterpret_cast<uintptr_t>(__data_start__));
  use.heap_capacity = static_cast<size_t>(__heap_end__ - __heap_start__);
  use.heap_peak = heap_high_water == nullptr ? 0 : static_cast<size_t>(heap_high_water - __heap_start__);
  use.stack_capacity = static_cast<size_t>(__stack_top__ - __stack_bottom__) * sizeof(uint32_t);
  const volatile uint32_t* p = __stack_bottom__;
  while (p < __stack_top__ && *p == kStackPaint) ++p;
  use.stack_peak = static_cast<size_t>(__stack_top__ - p) * sizeof(uint32_t);
  return use;
}

}  // namespace pki::hw::board

extern "C" uintptr_t __stack_chk_guard;

namespace pki::hw::board {

// Not protected itself: its own frame would be checked against the new value.
__attribute__((no_stack_protector)) Status SeedStackCanary(EntropySource& source) {
  uint8_t bytes[4] = {};
  PKI_RETURN_IF_ERROR(source.Fill(MutableByteSpan(bytes, sizeof(bytes))));
  bytes[0] = 0;  // little-endian low byte: a terminator no string copy passes
  __stack_chk_guard = static_cast<uintptr_t>(bytes[0]) | static_cast<uintptr_t>(bytes[1]) << 8 |
                      static_cast<uintptr_t>(bytes[2]) << 16 | static_cast<uintptr_t>(bytes[3]) << 24;
  SecureZero(bytes, sizeof(bytes));
  return OkStatus();
}

void RepaintStack() {
  // Leave 256 bytes below this frame untouched (this function's own use).
  const uintptr_t limit = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) - 256u;
  for (volatile uint32_t* p = __stack_bottom__; reinterpret_cast<uintptr_t>(p) < limit;) *p++ = kStackPaint;
}

}  // namespace pki::hw::board

// Zeroizes every byte of RAM with registers only (the stack goes too), then
// reports |code| with SYS_EXIT_EXTENDED {ADP_Stopped_ApplicationExit, code},
// whose parameter block sits in the freshly wiped RAM, and halts.
extern "C" __attribute__((naked, noreturn)) void PkiBoardWipeAndExit(uint32_t /*code*/) {
  asm volatile(
      "cpsid i\n"
      "mov r4, r0\n"
      "ldr r1, =__ram_start__\n"
      "ldr r2, =__ram_end__\n"
      "movs r3, #0\n"
      "1: cmp r1, r2\n"
      "bhs 2f\n"
      "str r3, [r1], #4\n"
      "b 1b\n"
      "2: ldr r1, =__ram_start__\n"
      "ldr r0, =0x20026\n"
      "str r0, [r1]\n"
      "str r4, [r1, #4]\n"
      "movs r0, #0x20\n"
      "bkpt 0xab\n"
      "3: wfi\n"
      "b 3b\n"
      ".ltorg\n");
}

extern "C" [[noreturn]] void PkiPanicHook(const char* what) {
  asm volatile("cpsid i" : : : "memory");
  pki::hw::board::ConsoleWrite("\nPANIC: ");
  pki::hw::board::ConsoleWrite(what == nullptr ? "(null)" : std::string_view(what, std::strlen(what)));
  pki::hw::board::ConsoleWrite("\nzeroizing RAM and halting\n");
  PkiBoardWipeAndExit(pki::hw::board::kExitPanic);
}

// newlib-nano's malloc grows its arena through _sbrk, bounded by the linker
// script's heap region (between .bss and the stack).
extern "C" void* _sbrk(ptrdiff_t increment) {
  using pki::hw::board::heap_break;
  using pki::hw::board::heap_high_water;
  if (heap_break == nullptr) heap_break = __heap_start__;
  if (increment > __heap_end__ - heap_break || increment < __heap_start__ - heap_break) {
    errno = ENOMEM;
    return reinterpret_cast<void*>(-1);
  }
  uint8_t* previous = heap_break;
  heap_break += increment;
  if (heap_break > heap_high_water) heap_high_water = heap_break;
  return previous;
}

// -fstack-protector-strong: the canary and its failure path.
extern "C" {
uintptr_t __stack_chk_guard = 0xE2A5C35Au;
[[noreturn]] void __stack_chk_fail() { PkiPanicHook("stack smashing detected"); }
}
