// gf256.h — arithmetic in GF(2^8) modulo the AES polynomial x^8+x^4+x^3+x+1
// (0x11b), in constant time: no branch and no table index depends on an
// operand, because Shamir shares and the KEK pass through here.
#ifndef PKI_APPLIANCE_CUSTODY_GF256_H_
#define PKI_APPLIANCE_CUSTODY_GF256_H_

#include <cstdint>

namespace pki::appliance::custody::gf256 {

// Add returns a + b (= a - b = a XOR b).
constexpr uint8_t Add(uint8_t a, uint8_t b) { return static_cast<uint8_t>(a ^ b); }

// Mul returns a * b mod 0x11b: eight shift-and-conditional-xor rounds where
// the condition is turned into a mask, so the timing is the same for every
// operand.
constexpr uint8_t Mul(uint8_t a, uint8_t b) {
  uint8_t product = 0;
  for (int i = 0; i < 8; ++i) {
    product = static_cast<uint8_t>(product ^ (a & static_cast<uint8_t>(-(b & 1))));
    const uint8_t carry = static_cast<uint8_t>(-(a >> 7));  // 0xFF if the top bit is set
    a = static_cast<uint8_t>((a << 1) ^ (0x1b & carry));
    b = static_cast<uint8_t>(b >> 1);
  }
  return product;
}

// Inv returns the multiplicative inverse of a, computed as a^254 with a fixed
// square-and-multiply chain (constant time). Inv(0) is 0 by this formula;
// callers must not divide by zero (Shamir indices are never zero).
constexpr uint8_t Inv(uint8_t a) {
  // 254 = 0b11111110: a^2, a^4, ..., a^128 multiplied together.
  uint8_t square = Mul(a, a);  // a^2
  uint8_t result = square;
  for (int i = 0; i < 6; ++i) {
    square = Mul(square, square);  // a^4 .. a^128
    result = Mul(result, square);
  }
  return result;
}

// Div returns a / b; b must be non-zero (see Inv).
constexpr uint8_t Div(uint8_t a, uint8_t b) { return Mul(a, Inv(b)); }

}  // namespace pki::appliance::custody::gf256

#endif  // PKI_APPLIANCE_CUSTODY_GF256_H_
