#include "crypto/hmac.h"

#include "base/secret.h"
#include "crypto/heap.h"
#include "crypto/mbedtls_status.h"
#include "mbedtls/md.h"

namespace pki::appliance::crypto {
namespace {

// RAII for an mbedtls_md_context_t (its HMAC pads live in the pool and are
// wiped by mbedtls_md_free).
class MdContext final {
 public:
  MdContext() { mbedtls_md_init(&ctx_); }
  ~MdContext() { mbedtls_md_free(&ctx_); }
  MdContext(const MdContext&) = delete;
  MdContext& operator=(const MdContext&) = delete;
  mbedtls_md_context_t* get() { return &ctx_; }

 private:
  mbedtls_md_context_t ctx_;
};

}  // namespace

Status HmacSha256Parts(ByteSpan key, std::span<const ByteSpan> parts,
                       std::span<uint8_t, kHmacSha256Size> out) {
  if (key.empty()) return InvalidArgumentError("HMAC: empty key");
  InitPool();
  MdContext md;
  int ret = mbedtls_md_setup(md.get(), mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
  if (ret == 0) ret = mbedtls_md_hmac_starts(md.get(), key.data(), key.size());
  for (ByteSpan p : parts) {
    if (ret != 0) break;
    if (!p.empty()) ret = mbedtls_md_hmac_update(md.get(), p.data(), p.size());
  }
  if (ret == 0) ret = mbedtls_md_hmac_finish(md.get(), out.data());
  if (ret != 0) {
    SecureZero(out.data(), out.size());
    return internal::MbedtlsStatus(ret, StatusCode::kInternal, "HMAC-SHA256 failed");
  }
  return OkStatus();
}

Status HmacSha256(ByteSpan key, ByteSpan data, std::span<uint8_t, kHmacSha256Size> out) {
  const ByteSpan parts[1] = {data};
  return HmacSha256Parts(key, parts, out);
}

Status VerifyHmacSha256(ByteSpan key, ByteSpan data, ByteSpan tag) {
  uint8_t mac[kHmacSha256Size];
  ScopedWipe wipe(mac);
  PKI_RETURN_IF_ERROR(HmacSha256(key, data, mac));
  if (!ConstantTimeEqual(ByteSpan(mac), tag)) return PermissionDeniedError("HMAC mismatch");
  return OkStatus();
}

}  // namespace pki::appliance::crypto
