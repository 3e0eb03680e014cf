// test_util.h — small helpers shared by crypto/ and ca/ unit tests (host
// only: uses std::vector/std::string).
#ifndef PKI_APPLIANCE_CRYPTO_TEST_UTIL_H_
#define PKI_APPLIANCE_CRYPTO_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/hex.h"

namespace pki::appliance::crypto::testing {

// FromHex decodes |hex| (even length, no separators); aborts the test binary
// on malformed test data.
inline std::vector<uint8_t> FromHex(std::string_view hex) {
  std::vector<uint8_t> out(hex.size() / 2);
  StatusOr<size_t> n = HexDecode(out, hex);
  if (!n.ok() || *n != out.size()) Panic("FromHex: bad test vector");
  return out;
}

// ToHex encodes |bytes| as lower-case hex.
inline std::string ToHex(ByteSpan bytes) {
  std::string out(bytes.size() * 2, '\0');
  StatusOr<size_t> n = HexEncode(std::span<char>(out.data(), out.size()), bytes);
  if (!n.ok()) Panic("ToHex failed");
  return out;
}

}  // namespace pki::appliance::crypto::testing

#endif  // PKI_APPLIANCE_CRYPTO_TEST_UTIL_H_
