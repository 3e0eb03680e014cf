#include "ca/serial.h"

namespace pki::appliance::ca {

StatusOr<Serial> GenerateSerial(crypto::Drbg& drbg) {
  Serial s;
  // First byte 0x01..0x7f: positive and exactly 20 content bytes in DER.
  // Redraw on a zero first byte (probability 1/128) rather than bias it.
  for (int attempt = 0; attempt < 64; ++attempt) {
    PKI_RETURN_IF_ERROR(drbg.Generate(s.bytes));
    s.bytes[0] &= 0x7f;
    if (s.bytes[0] != 0) return s;
  }
  return UnavailableError("serial: DRBG output stuck at zero");  // a broken DRBG, not bad luck
}

Status CheckSerial(const Serial& serial) {
  if (serial.bytes[0] == 0 || (serial.bytes[0] & 0x80) != 0) {
    return InvalidArgumentError("serial: first byte must be 0x01..0x7f (20-byte positive serial)");
  }
  return OkStatus();
}

}  // namespace pki::appliance::ca
