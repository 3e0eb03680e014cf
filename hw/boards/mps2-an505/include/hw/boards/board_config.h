// board_config.h — MPS2+ AN505 (Cortex-M33, SSE-200) as QEMU's mps2-an505
// models it. The firmware runs secure, so peripherals use their secure alias
// (non-secure address + 0x1000'0000).
#ifndef PKI_HW_BOARDS_BOARD_CONFIG_H_
#define PKI_HW_BOARDS_BOARD_CONFIG_H_

#include <cstdint>

namespace pki::hw::board {

inline constexpr char kBoardName[] = "mps2-an505";
inline constexpr char kCpuName[] = "cortex-m33";
// CMSDK APB UART0 (secure alias of 0x4020'0000).
inline constexpr uintptr_t kUart0Base = 0x50200000u;
// UART0's RX and TX interrupt lines (NVIC numbers). The AN505 manual and
// QEMU disagree on which of the two is RX, so the driver serves both.
inline constexpr uint32_t kUart0Irqs[2] = {32u, 33u};
// External interrupts wired in the vector table (SSE-200: 32 internal + 64).
inline constexpr uint32_t kNumIrqs = 96u;
// SYSCLK: core, SysTick and APB clock.
inline constexpr uint32_t kCoreClockHz = 20'000'000u;
inline constexpr uint32_t kPeripheralClockHz = 20'000'000u;

}  // namespace pki::hw::board

#endif  // PKI_HW_BOARDS_BOARD_CONFIG_H_
