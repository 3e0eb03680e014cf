#include "ceremony/fingerprint/fingerprint.h"

#include <openssl/sha.h>

namespace pki::ceremony {

std::string Sha256(ByteSpan data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string HexString(ByteSpan data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::string GroupedHex(ByteSpan data) {
  const std::string hex = HexString(data);
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 4) {
    if (i != 0) out += ' ';
    out += hex.substr(i, 4);
  }
  return out;
}

bool ParseHex(std::string_view hex, std::string* out) {
  out->clear();
  int high = -1;
  for (char c : hex) {
    if (c == ' ' || c == ':') continue;
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      return false;
    }
    if (high < 0) {
      high = v;
    } else {
      out->push_back(static_cast<char>((high << 4) | v));
      high = -1;
    }
  }
  return high < 0;
}

}  // namespace pki::ceremony
