#include "common/secret_buffer.h"

#include <cstring>

namespace pki {

SecretBuffer::SecretBuffer(ByteSpan data) : data_(new uint8_t[data.size() ? data.size() : 1]), size_(data.size()) {
  if (size_) std::memcpy(data_.get(), data.data(), size_);
}

SecretBuffer::~SecretBuffer() { Clear(); }

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
  if (this != &other) {
    Clear();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

bool SecretBuffer::Equals(const SecretBuffer& other) const {
  return ConstantTimeEqual(ByteSpan(data_.get(), size_), ByteSpan(other.data_.get(), other.size_));
}

void SecretBuffer::Clear() {
  if (data_) SecureZero(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

}  // namespace pki
