#include "base/secret.h"

namespace pki {

void SecureZero(void* p, size_t size) {
  if (p == nullptr || size == 0) return;
  volatile uint8_t* v = static_cast<volatile uint8_t*>(p);
  for (size_t i = 0; i < size; ++i) v[i] = 0;
  // Keep the stores: the compiler must assume |p|'s memory is read here.
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

bool ConstantTimeEqual(ByteSpan a, ByteSpan b) {
  if (a.size() != b.size()) return false;
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = static_cast<uint8_t>(diff | (a[i] ^ b[i]));
  return diff == 0;
}

}  // namespace pki
