#include "crypto/signature.h"

#include <cstring>

#include "crypto/heap.h"
#include "crypto/mbedtls_status.h"
#include "mbedtls/md.h"
#include "mbedtls/pk.h"

namespace pki::appliance::crypto {
namespace {

static_assert(kMaxSignatureSize >= MBEDTLS_PK_SIGNATURE_MAX_SIZE,
              "kMaxSignatureSize must cover mbedtls_pk_sign's largest output");

mbedtls_md_type_t MdType(HashAlg hash) {
  switch (hash) {
    case HashAlg::kSha256: return MBEDTLS_MD_SHA256;
    case HashAlg::kSha384: return MBEDTLS_MD_SHA384;
    case HashAlg::kSha512: return MBEDTLS_MD_SHA512;
  }
  return MBEDTLS_MD_NONE;
}

}  // namespace

HashAlg DefaultHashFor(KeyAlgorithm alg) {
  return (alg == KeyAlgorithm::kEcP384 || alg == KeyAlgorithm::kRsa4096) ? HashAlg::kSha384 : HashAlg::kSha256;
}

StatusOr<size_t> SignDigest(KeyPair& key, Drbg& drbg, HashAlg hash, ByteSpan digest, MutableByteSpan out_signature) {
  if (digest.size() != DigestSize(hash)) return InvalidArgumentError("sign: digest length does not match the hash");
  InitPool();
  // mbedtls_pk_sign takes no capacity: give it the largest it can write.
  uint8_t sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
  size_t sig_len = 0;
  const int ret = mbedtls_pk_sign(key.native(), MdType(hash), digest.data(), digest.size(), sig, &sig_len,
                                  Drbg::Rng, &drbg);
  if (ret != 0) return internal::MbedtlsStatus(ret, StatusCode::kInternal, "sign failed");
  PKI_CHECK(sig_len <= sizeof(sig));
  if (out_signature.size() < sig_len) return OutOfRangeError("sign: signature output buffer too small");
  std::memcpy(out_signature.data(), sig, sig_len);
  return sig_len;
}

StatusOr<size_t> Sign(KeyPair& key, Drbg& drbg, HashAlg hash, ByteSpan message, MutableByteSpan out_signature) {
  uint8_t digest[kMaxDigestSize];
  PKI_ASSIGN_OR_RETURN(const size_t n, Digest(hash, message, digest));
  return SignDigest(key, drbg, hash, ByteSpan(digest, n), out_signature);
}

namespace internal {

Status VerifyNative(mbedtls_pk_context& pk, HashAlg hash, ByteSpan message, ByteSpan signature) {
  InitPool();
  uint8_t digest[kMaxDigestSize];
  PKI_ASSIGN_OR_RETURN(const size_t n, Digest(hash, message, digest));
  const int ret = mbedtls_pk_verify(&pk, MdType(hash), digest, n, signature.data(), signature.size());
  if (ret != 0) return PermissionDeniedError("signature does not verify");
  return OkStatus();
}

}  // namespace internal

Status Verify(const PublicKey& key, HashAlg hash, ByteSpan message, ByteSpan signature) {
  return internal::VerifyNative(*key.native(), hash, message, signature);
}

Status VerifyWithKeyPair(const KeyPair& key, HashAlg hash, ByteSpan message, ByteSpan signature) {
  return internal::VerifyNative(*key.native(), hash, message, signature);
}

}  // namespace pki::appliance::crypto
