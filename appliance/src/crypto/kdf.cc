#include "crypto/kdf.h"

#include "base/secret.h"
#include "crypto/heap.h"
#include "crypto/mbedtls_status.h"
#include "mbedtls/hkdf.h"
#include "mbedtls/md.h"
#include "mbedtls/pkcs5.h"

namespace pki::appliance::crypto {

uint32_t MinPbkdf2Iterations() {
#if PKI_PRODUCTION_BUILD
  return kMinProductionPbkdf2Iterations;
#else
  return 1;
#endif
}

Status Pbkdf2HmacSha256(ByteSpan passphrase, ByteSpan salt, uint32_t iterations, MutableByteSpan out) {
  if (iterations < MinPbkdf2Iterations()) {
    SecureZero(out.data(), out.size());
    return FailedPreconditionError("PBKDF2: iteration count below this build's minimum")
        .AppendNumber(MinPbkdf2Iterations());
  }
  if (passphrase.empty()) return InvalidArgumentError("PBKDF2: empty passphrase");
  const size_t min_salt = PKI_PRODUCTION_BUILD ? kMinPbkdf2SaltSize : 1;
  if (salt.size() < min_salt) return InvalidArgumentError("PBKDF2: salt too short");
  if (out.empty() || out.size() > kMaxKdfOutputSize) {
    return InvalidArgumentError("PBKDF2: output length must be 1..64 bytes");
  }
  InitPool();
  mbedtls_md_context_t md;
  mbedtls_md_init(&md);
  int ret = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
  if (ret == 0) {
    ret = mbedtls_pkcs5_pbkdf2_hmac(&md, passphrase.data(), passphrase.size(), salt.data(), salt.size(),
                                    iterations, static_cast<uint32_t>(out.size()), out.data());
  }
  mbedtls_md_free(&md);  // wipes the HMAC pads
  if (ret != 0) {
    SecureZero(out.data(), out.size());
    return internal::MbedtlsStatus(ret, StatusCode::kInternal, "PBKDF2 failed");
  }
  return OkStatus();
}

Status HkdfSha256(ByteSpan ikm, ByteSpan salt, ByteSpan info, MutableByteSpan out) {
  if (ikm.empty()) return InvalidArgumentError("HKDF: empty input key material");
  if (out.empty() || out.size() > 255 * 32) return InvalidArgumentError("HKDF: output length must be 1..8160 bytes");
  InitPool();
  const int ret = mbedtls_hkdf(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), salt.data(), salt.size(), ikm.data(),
                               ikm.size(), info.data(), info.size(), out.data(), out.size());
  if (ret != 0) {
    SecureZero(out.data(), out.size());
    return internal::MbedtlsStatus(ret, StatusCode::kInternal, "HKDF failed");
  }
  return OkStatus();
}

}  // namespace pki::appliance::crypto
