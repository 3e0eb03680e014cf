#include "crypto/digest.h"

#include <cstring>
#include <utility>

#include "base/secret.h"

namespace pki::appliance::crypto {

size_t DigestSize(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return kSha256Size;
    case HashAlg::kSha384: return kSha384Size;
    case HashAlg::kSha512: return kSha512Size;
  }
  Panic("DigestSize: unknown HashAlg");
}

const char* HashAlgName(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return "SHA-256";
    case HashAlg::kSha384: return "SHA-384";
    case HashAlg::kSha512: return "SHA-512";
  }
  return "unknown hash";
}

Sha256Digest Sha256(ByteSpan data) {
  const ByteSpan parts[1] = {data};
  return Sha256Parts(parts);
}

Sha256Digest Sha256Parts(std::span<const ByteSpan> parts) {
  Hasher h(HashAlg::kSha256);
  for (ByteSpan p : parts) h.Update(p);
  Sha256Digest out{};
  StatusOr<size_t> n = h.Finish(out);
  PKI_CHECK(n.ok());  // software SHA-256 into a right-sized buffer cannot fail
  return out;
}

StatusOr<size_t> Digest(HashAlg alg, ByteSpan data, MutableByteSpan out) {
  Hasher h(alg);
  h.Update(data);
  return h.Finish(out);
}

Hasher::Hasher(HashAlg alg) : alg_(alg) {
  mbedtls_sha256_init(&sha256_);
  mbedtls_sha512_init(&sha512_);
  Start();
}

Hasher::~Hasher() {
  mbedtls_sha256_free(&sha256_);
  mbedtls_sha512_free(&sha512_);
}

// The contexts are plain data (no pointers), so moving copies them.
Hasher::Hasher(Hasher&& other) noexcept : alg_(other.alg_) {
  std::memcpy(&sha256_, &other.sha256_, sizeof(sha256_));
  std::memcpy(&sha512_, &other.sha512_, sizeof(sha512_));
  other.Start();
}

Hasher& Hasher::operator=(Hasher&& other) noexcept {
  if (this != &other) {
    alg_ = other.alg_;
    std::memcpy(&sha256_, &other.sha256_, sizeof(sha256_));
    std::memcpy(&sha512_, &other.sha512_, sizeof(sha512_));
    other.Start();
  }
  return *this;
}

void Hasher::Start() {
  int ret = 0;
  switch (alg_) {
    case HashAlg::kSha256: ret = mbedtls_sha256_starts_ret(&sha256_, 0); break;
    case HashAlg::kSha384: ret = mbedtls_sha512_starts_ret(&sha512_, 1); break;
    case HashAlg::kSha512: ret = mbedtls_sha512_starts_ret(&sha512_, 0); break;
  }
  PKI_CHECK(ret == 0);
}

void Hasher::Update(ByteSpan data) {
  if (data.empty()) return;
  const int ret = alg_ == HashAlg::kSha256 ? mbedtls_sha256_update_ret(&sha256_, data.data(), data.size())
                                           : mbedtls_sha512_update_ret(&sha512_, data.data(), data.size());
  PKI_CHECK(ret == 0);  // software hashes cannot fail on valid contexts
}

StatusOr<size_t> Hasher::Finish(MutableByteSpan out) {
  const size_t n = DigestSize(alg_);
  if (out.size() < n) return OutOfRangeError("digest output buffer too small");
  uint8_t full[kMaxDigestSize];
  const int ret = alg_ == HashAlg::kSha256 ? mbedtls_sha256_finish_ret(&sha256_, full)
                                           : mbedtls_sha512_finish_ret(&sha512_, full);
  PKI_CHECK(ret == 0);
  std::memcpy(out.data(), full, n);  // SHA-384 is the first 48 bytes of the SHA-512 state output
  SecureZero(full, sizeof(full));
  Start();
  return n;
}

}  // namespace pki::appliance::crypto
