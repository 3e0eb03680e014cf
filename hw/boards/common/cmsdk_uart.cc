#include "hw/boards/cmsdk_uart.h"

#include "hw/boards/board_config.h"

namespace pki::hw::board {
namespace {

// CMSDK APB UART registers.
volatile uint32_t& UartReg(uintptr_t offset) {
  return *reinterpret_cast<volatile uint32_t*>(kUart0Base + offset);
}
constexpr uintptr_t kData = 0x00;
constexpr uintptr_t kState = 0x04;
constexpr uintptr_t kCtrl = 0x08;
constexpr uintptr_t kIntStatus = 0x0C;  // write 1 to clear
constexpr uintptr_t kBaudDiv = 0x10;
constexpr uint32_t kStateTxFull = 1u << 0;
constexpr uint32_t kStateRxFull = 1u << 1;
constexpr uint32_t kCtrlTxEnable = 1u << 0;
constexpr uint32_t kCtrlRxEnable = 1u << 1;
constexpr uint32_t kCtrlRxIrqEnable = 1u << 3;
constexpr uint32_t kIntRx = 1u << 1;
constexpr uint32_t kIntTx = 1u << 0;

// NVIC set/clear-enable registers.
void NvicEnable(uint32_t irq, bool on) {
  const uintptr_t base = on ? 0xE000E100u : 0xE000E180u;
  *reinterpret_cast<volatile uint32_t*>(base + 4u * (irq / 32u)) = 1u << (irq % 32u);
}

// The receive ring, shared with the interrupt handler (single producer: the
// handler; single consumer: Read). Indices grow without bound, used modulo.
constexpr uint32_t kRingSize = 512;
uint8_t ring[kRingSize];
volatile uint32_t ring_head = 0;  // written by the handler
volatile uint32_t ring_tail = 0;  // written by Read
bool uart_exists = false;

// Drain moves bytes from the UART into the ring until it is empty or the
// ring is full; with the ring full it leaves the byte in the UART and turns
// the RX interrupt off (the sender is held back, not dropped) until Read
// makes room and drains again. Runs in the handler or with interrupts masked.
//
// The interrupt is acknowledged before the data register is read, not after:
// a byte that lands between the last RXFULL check and a late acknowledge
// would have its interrupt cleared with it and sit unseen in the UART (QEMU
// delivers the next byte only once it is read) until the next SysTick woke
// Read. Acknowledged first, such a byte raises the interrupt again.
void Drain() {
  UartReg(kIntStatus) = kIntRx | kIntTx;
  uint32_t head = ring_head;
  bool full = false;
  while ((UartReg(kState) & kStateRxFull) != 0) {
    if (head - ring_tail >= kRingSize) {
      full = true;
      break;
    }
    ring[head % kRingSize] = static_cast<uint8_t>(UartReg(kData));
    ++head;
  }
  ring_head = head;
  UartReg(kCtrl) = kCtrlTxEnable | kCtrlRxEnable | (full ? 0u : kCtrlRxIrqEnable);
}

}  // namespace

StatusOr<std::unique_ptr<CmsdkUart>> CmsdkUart::Create(Clock& clock, uint32_t baud) {
  if (uart_exists) return FailedPreconditionError("UART0 already in use");
  // The CMSDK UART needs a divider of at least 16.
  if (baud == 0 || kPeripheralClockHz / baud < 16u) {
    return InvalidArgumentError("UART0: baud rate 0 or above APB clock / 16");
  }
  uart_exists = true;
  ring_head = 0;
  ring_tail = 0;
  UartReg(kCtrl) = 0;
  UartReg(kBaudDiv) = kPeripheralClockHz / baud;
  UartReg(kIntStatus) = kIntRx | kIntTx;
  UartReg(kCtrl) = kCtrlTxEnable | kCtrlRxEnable | kCtrlRxIrqEnable;
  for (uint32_t irq : kUart0Irqs) NvicEnable(irq, true);
  return std::unique_ptr<CmsdkUart>(new CmsdkUart(clock));
}

CmsdkUart::~CmsdkUart() {
  for (uint32_t irq : kUart0Irqs) NvicEnable(irq, false);
  UartReg(kCtrl) = 0;
  uart_exists = false;
}

StatusOr<size_t> CmsdkUart::Read(MutableByteSpan out, uint32_t timeout_ms) {
  if (out.empty()) return size_t{0};
  const uint64_t deadline = clock_.MonotonicMillis() + timeout_ms;
  for (;;) {
    // Interrupts masked between the check and WFI: a byte arriving in
    // between still wakes WFI (it pends), so no wake-up is lost.
    asm volatile("cpsid i" : : : "memory");
    Drain();
    if (ring_head != ring_tail || clock_.MonotonicMillis() >= deadline) {
      asm volatile("cpsie i" : : : "memory");
      break;
    }
    asm volatile("wfi\n cpsie i\n isb" : : : "memory");
  }
  size_t n = 0;
  uint32_t tail = ring_tail;
  while (n < out.size() && tail != ring_head) {
    out[n++] = ring[tail % kRingSize];
    ++tail;
  }
  ring_tail = tail;
  // Room again: take what the UART held back while the ring was full.
  asm volatile("cpsid i" : : : "memory");
  Drain();
  asm volatile("cpsie i" : : : "memory");
  return n;
}

Status CmsdkUart::WriteAll(ByteSpan data) {
  for (uint8_t byte : data) {
    while ((UartReg(kState) & kStateTxFull) != 0) {
    }
    UartReg(kData) = byte;
  }
  return OkStatus();
}

}  // namespace pki::hw::board

// RX (and, never enabled, TX) interrupt of UART0.
extern "C" void PkiBoardUartIrqHandler() { pki::hw::board::Drain(); }
