// bytes.h — byte spans and small helpers used across every part.
#ifndef PKI_BASE_BYTES_H_
#define PKI_BASE_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace pki {

using ByteSpan = std::span<const uint8_t>;
using MutableByteSpan = std::span<uint8_t>;

// AsBytes views the characters of |s| as bytes; borrows |s|.
inline ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// AsChars views |b| as characters; borrows |b|.
inline std::string_view AsChars(ByteSpan b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

// StoreBe32/LoadBe32 and friends: big-endian integer coding. |out|/|in| must
// hold at least the integer's width (checked by the caller's span sizes).
inline void StoreBe16(uint8_t* out, uint16_t v) {
  out[0] = static_cast<uint8_t>(v >> 8);
  out[1] = static_cast<uint8_t>(v);
}
inline void StoreBe32(uint8_t* out, uint32_t v) {
  out[0] = static_cast<uint8_t>(v >> 24);
  out[1] = static_cast<uint8_t>(v >> 16);
  out[2] = static_cast<uint8_t>(v >> 8);
  out[3] = static_cast<uint8_t>(v);
}
inline void StoreBe64(uint8_t* out, uint64_t v) {
  StoreBe32(out, static_cast<uint32_t>(v >> 32));
  StoreBe32(out + 4, static_cast<uint32_t>(v));
}
inline uint16_t LoadBe16(const uint8_t* in) {
  return static_cast<uint16_t>((in[0] << 8) | in[1]);
}
inline uint32_t LoadBe32(const uint8_t* in) {
  return (static_cast<uint32_t>(in[0]) << 24) | (static_cast<uint32_t>(in[1]) << 16) |
         (static_cast<uint32_t>(in[2]) << 8) | static_cast<uint32_t>(in[3]);
}
inline uint64_t LoadBe64(const uint8_t* in) {
  return (static_cast<uint64_t>(LoadBe32(in)) << 32) | LoadBe32(in + 4);
}

}  // namespace pki

#endif  // PKI_BASE_BYTES_H_
