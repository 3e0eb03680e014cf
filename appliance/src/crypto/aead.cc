#include "crypto/aead.h"

#include <cstring>

#include "crypto/heap.h"
#include "crypto/mbedtls_status.h"
#include "mbedtls/gcm.h"

namespace pki::appliance::crypto {
namespace {

class GcmContext final {
 public:
  GcmContext() { mbedtls_gcm_init(&ctx_); }
  ~GcmContext() { mbedtls_gcm_free(&ctx_); }  // wipes the key schedule
  GcmContext(const GcmContext&) = delete;
  GcmContext& operator=(const GcmContext&) = delete;
  mbedtls_gcm_context* get() { return &ctx_; }

 private:
  mbedtls_gcm_context ctx_;
};

Status SetKey(GcmContext& gcm, const AeadKey& key) {
  if (key.size() != kAeadKeySize) return InvalidArgumentError("AEAD: key must be 32 bytes");
  const ByteSpan k = key.View(SecretAccess::Grant());
  const int ret = mbedtls_gcm_setkey(gcm.get(), MBEDTLS_CIPHER_ID_AES, k.data(), 256);
  return internal::MbedtlsStatus(ret, StatusCode::kInternal, "AEAD: setkey failed");
}

}  // namespace

StatusOr<size_t> AeadSealWithNonce(const AeadKey& key, ByteSpan nonce, ByteSpan aad,
                                   ByteSpan plaintext, MutableByteSpan out) {
  if (nonce.size() != kAeadNonceSize) return InvalidArgumentError("AEAD: nonce must be 12 bytes");
  const size_t total = plaintext.size() + kAeadOverhead;
  if (out.size() < total) return OutOfRangeError("AEAD: output buffer too small");
  InitPool();
  GcmContext gcm;
  PKI_RETURN_IF_ERROR(SetKey(gcm, key));
  std::memmove(out.data(), nonce.data(), kAeadNonceSize);
  uint8_t* ct = out.data() + kAeadNonceSize;
  uint8_t* tag = ct + plaintext.size();
  const int ret = mbedtls_gcm_crypt_and_tag(gcm.get(), MBEDTLS_GCM_ENCRYPT, plaintext.size(), nonce.data(),
                                            nonce.size(), aad.data(), aad.size(), plaintext.data(), ct,
                                            kAeadTagSize, tag);
  if (ret != 0) {
    SecureZero(out.data(), total);
    return internal::MbedtlsStatus(ret, StatusCode::kInternal, "AEAD: seal failed");
  }
  return total;
}

StatusOr<size_t> AeadSeal(const AeadKey& key, Drbg& drbg, ByteSpan aad, ByteSpan plaintext,
                          MutableByteSpan out) {
  uint8_t nonce[kAeadNonceSize];
  PKI_RETURN_IF_ERROR(drbg.Generate(nonce));
  return AeadSealWithNonce(key, nonce, aad, plaintext, out);
}

StatusOr<size_t> AeadOpen(const AeadKey& key, ByteSpan aad, ByteSpan sealed, MutableByteSpan out_plaintext) {
  if (sealed.size() < kAeadOverhead) return InvalidArgumentError("AEAD: sealed data shorter than nonce and tag");
  const size_t n = sealed.size() - kAeadOverhead;
  if (out_plaintext.size() < n) return OutOfRangeError("AEAD: plaintext buffer too small");
  InitPool();
  GcmContext gcm;
  PKI_RETURN_IF_ERROR(SetKey(gcm, key));
  const uint8_t* nonce = sealed.data();
  const uint8_t* ct = nonce + kAeadNonceSize;
  const uint8_t* tag = ct + n;
  const int ret = mbedtls_gcm_auth_decrypt(gcm.get(), n, nonce, kAeadNonceSize, aad.data(), aad.size(), tag,
                                           kAeadTagSize, ct, out_plaintext.data());
  if (ret != 0) {
    SecureZero(out_plaintext.data(), out_plaintext.size());
    if (ret == MBEDTLS_ERR_GCM_AUTH_FAILED) return PermissionDeniedError("AEAD: authentication failed");
    return internal::MbedtlsStatus(ret, StatusCode::kInternal, "AEAD: open failed");
  }
  return n;
}

}  // namespace pki::appliance::crypto
