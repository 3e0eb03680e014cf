// cmsdk_uart.h — hw::SerialLink over the board's Arm CMSDK APB UART0.
//
// Received bytes are moved by the RX interrupt into a 512-byte ring; when the
// ring is full the driver stops taking bytes (the UART holds one, and QEMU
// then stops reading its socket), so nothing is lost while the firmware is
// busy signing. Read waits with WFI (woken by the RX or SysTick interrupt)
// until a byte arrives or the timeout passes. Writes poll TXFULL.
//
// Under QEMU the UART is whatever -serial names, e.g. a TCP socket:
//   -serial tcp:127.0.0.1:PORT,server=on,wait=off,nodelay=on
#ifndef PKI_HW_BOARDS_CMSDK_UART_H_
#define PKI_HW_BOARDS_CMSDK_UART_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/status_or.h"
#include "hw/clock.h"
#include "hw/serial_link.h"

namespace pki::hw::board {

class CmsdkUart final : public SerialLink {
 public:
  // Create enables UART0 at |baud| (bounded by the APB clock) with its RX
  // interrupt and returns the link the caller owns; |clock| is borrowed for
  // the link's lifetime (read timeouts). FAILED_PRECONDITION if a CmsdkUart
  // already exists; INVALID_ARGUMENT if |baud| is 0 or too fast.
  static StatusOr<std::unique_ptr<CmsdkUart>> Create(Clock& clock, uint32_t baud);
  ~CmsdkUart() override;
  CmsdkUart(const CmsdkUart&) = delete;
  CmsdkUart& operator=(const CmsdkUart&) = delete;

  // See hw::SerialLink. A UART has no "peer went away": Read never returns
  // UNAVAILABLE, only bytes or 0 after the timeout.
  [[nodiscard]] StatusOr<size_t> Read(MutableByteSpan out, uint32_t timeout_ms) override;
  [[nodiscard]] Status WriteAll(ByteSpan data) override;

 private:
  explicit CmsdkUart(Clock& clock) : clock_(clock) {}
  Clock& clock_;
};

}  // namespace pki::hw::board

#endif  // PKI_HW_BOARDS_CMSDK_UART_H_
