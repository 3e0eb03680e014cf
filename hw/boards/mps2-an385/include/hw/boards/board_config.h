// board_config.h — MPS2 AN385 (Cortex-M3) as QEMU's mps2-an385 models it.
#ifndef PKI_HW_BOARDS_BOARD_CONFIG_H_
#define PKI_HW_BOARDS_BOARD_CONFIG_H_

#include <cstdint>

namespace pki::hw::board {

inline constexpr char kBoardName[] = "mps2-an385";
inline constexpr char kCpuName[] = "cortex-m3";
// CMSDK APB UART0.
inline constexpr uintptr_t kUart0Base = 0x40004000u;
// UART0's RX and TX interrupt lines (NVIC numbers 0 and 1).
inline constexpr uint32_t kUart0Irqs[2] = {0u, 1u};
// External interrupts wired in the vector table.
inline constexpr uint32_t kNumIrqs = 32u;
// SYSCLK: core, SysTick and APB clock.
inline constexpr uint32_t kCoreClockHz = 25'000'000u;
inline constexpr uint32_t kPeripheralClockHz = 25'000'000u;

}  // namespace pki::hw::board

#endif  // PKI_HW_BOARDS_BOARD_CONFIG_H_
