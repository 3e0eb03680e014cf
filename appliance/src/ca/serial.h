// serial.h — certificate serial numbers: 20 bytes from the CSPRNG, first
// byte in 0x01..0x7f so the DER INTEGER is positive and exactly 20 bytes
// (DESIGN invariant 6: never a counter).
#ifndef PKI_APPLIANCE_CA_SERIAL_H_
#define PKI_APPLIANCE_CA_SERIAL_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"
#include "crypto/drbg.h"

namespace pki::appliance::ca {

inline constexpr size_t kSerialSize = 20;

struct Serial {
  std::array<uint8_t, kSerialSize> bytes{};
  ByteSpan view() const { return ByteSpan(bytes); }
};

// GenerateSerial draws a new serial from |drbg| (borrowed). UNAVAILABLE if the
// DRBG failed.
StatusOr<Serial> GenerateSerial(crypto::Drbg& drbg);

// CheckSerial is OK if |serial| is a valid serial of ours (first byte
// 0x01..0x7f); INVALID_ARGUMENT otherwise.
[[nodiscard]] Status CheckSerial(const Serial& serial);

}  // namespace pki::appliance::ca

#endif  // PKI_APPLIANCE_CA_SERIAL_H_
