// secret_buffer.h — a heap-backed zeroizing secret for the host (PINs,
// passphrases). The same rules as base's SecretArray: no copies, no implicit
// conversion, reads take a SecretAccess token, wiped on destruction.
#ifndef PKI_COMMON_SECRET_BUFFER_H_
#define PKI_COMMON_SECRET_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/bytes.h"
#include "base/secret.h"

namespace pki {

class SecretBuffer final {
 public:
  SecretBuffer() = default;
  // Copies |data| into a new zeroizing buffer.
  explicit SecretBuffer(ByteSpan data);
  ~SecretBuffer();
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  SecretBuffer(SecretBuffer&& other) noexcept;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // View borrows the bytes; valid while this buffer lives unchanged.
  ByteSpan View(SecretAccess) const { return ByteSpan(data_.get(), size_); }
  std::string_view ViewChars(SecretAccess a) const { return AsChars(View(a)); }

  // Equals compares in constant time.
  bool Equals(const SecretBuffer& other) const;

  // Wipes and frees the contents.
  void Clear();

 private:
  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

}  // namespace pki

#endif  // PKI_COMMON_SECRET_BUFFER_H_
