// secret.h — zeroizing storage for secrets, firmware-safe (no heap).
//
// SecretArray<N> holds up to N secret bytes inline, wipes them when destroyed
// or cleared, cannot be copied, and never converts to bytes or text by
// accident: reading the bytes takes a SecretAccess token, so every read is
// greppable ("SecretAccess::Grant"). The host's heap-backed SecretBuffer lives
// in common/ and follows the same rules.
#ifndef PKI_BASE_SECRET_H_
#define PKI_BASE_SECRET_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "base/bytes.h"
#include "base/status.h"

namespace pki {

// SecureZero overwrites |size| bytes at |p| with zeros in a way the compiler
// may not elide.
void SecureZero(void* p, size_t size);

// ConstantTimeEqual compares |a| and |b| in time that depends only on their
// lengths. Returns false if the lengths differ.
bool ConstantTimeEqual(ByteSpan a, ByteSpan b);

// SecretAccess is the token needed to read secret bytes. Grant() is public on
// purpose: the point is that every use is visible in review and in grep.
class SecretAccess final {
 public:
  static SecretAccess Grant() { return SecretAccess(); }

 private:
  SecretAccess() = default;
};

template <size_t N>
class SecretArray final {
 public:
  static constexpr size_t kCapacity = N;

  SecretArray() = default;
  // Wipes the bytes and the length (a destroyed secret leaves nothing behind).
  ~SecretArray() { SecureZero(this, sizeof(*this)); }
  SecretArray(const SecretArray&) = delete;
  SecretArray& operator=(const SecretArray&) = delete;
  // Moving copies the bytes and wipes the source.
  SecretArray(SecretArray&& other) noexcept { TakeFrom(other); }
  SecretArray& operator=(SecretArray&& other) noexcept {
    if (this != &other) {
      Clear();
      TakeFrom(other);
    }
    return *this;
  }

  // Assign copies |data| in; fails with INVALID_ARGUMENT if it exceeds N.
  Status Assign(ByteSpan data) {
    if (data.size() > N) return InvalidArgumentError("secret larger than its capacity");
    Clear();
    if (!data.empty()) std::memcpy(bytes_, data.data(), data.size());
    size_ = data.size();
    return OkStatus();
  }
  // Resize sets the length to |size| (<= N) for filling through Mutable().
  Status Resize(size_t size) {
    if (size > N) return InvalidArgumentError("secret larger than its capacity");
    if (size < size_) SecureZero(bytes_ + size, size_ - size);
    size_ = size;
    return OkStatus();
  }
  // Clear wipes every byte and empties the array.
  void Clear() {
    SecureZero(bytes_, N);
    size_ = 0;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // View/Mutable borrow the secret bytes; they stay valid while this lives.
  ByteSpan View(SecretAccess) const { return ByteSpan(bytes_, size_); }
  MutableByteSpan Mutable(SecretAccess) { return MutableByteSpan(bytes_, size_); }

  // Equals compares in constant time.
  bool Equals(const SecretArray& other) const {
    return ConstantTimeEqual(ByteSpan(bytes_, size_), ByteSpan(other.bytes_, other.size_));
  }

 private:
  void TakeFrom(SecretArray& other) {
    std::memcpy(bytes_, other.bytes_, N);
    size_ = other.size_;
    other.Clear();
  }

  uint8_t bytes_[N] = {};
  size_t size_ = 0;
};

// ScopedWipe zeroizes a caller's buffer when the scope ends, for secrets held
// briefly in plain arrays (e.g. a stack buffer passed to a C library).
class ScopedWipe final {
 public:
  explicit ScopedWipe(MutableByteSpan buffer) : buffer_(buffer) {}
  ~ScopedWipe() { SecureZero(buffer_.data(), buffer_.size()); }
  ScopedWipe(const ScopedWipe&) = delete;
  ScopedWipe& operator=(const ScopedWipe&) = delete;

 private:
  MutableByteSpan buffer_;
};

}  // namespace pki

#endif  // PKI_BASE_SECRET_H_
