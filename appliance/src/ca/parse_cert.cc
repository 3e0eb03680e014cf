#include "ca/parse_cert.h"

#include <string_view>

#include "crypto/mbedtls_status.h"
#include "mbedtls/oid.h"

namespace pki::appliance::ca::internal {
namespace {

int AcceptNameConstraints(void*, const mbedtls_x509_crt*, const mbedtls_x509_buf* oid, int, const unsigned char*,
                          const unsigned char*) {
  const std::string_view nc(MBEDTLS_OID_NAME_CONSTRAINTS);
  if (oid->len == nc.size() && std::string_view(reinterpret_cast<const char*>(oid->p), oid->len) == nc) return 0;
  return MBEDTLS_ERR_X509_INVALID_EXTENSIONS;  // fatal only if the extension is critical
}

}  // namespace

Status ParsedCert::Parse(ByteSpan der) {
  const int ret = mbedtls_x509_crt_parse_der_with_ext_cb(&crt_, der.data(), der.size(), 0, AcceptNameConstraints,
                                                         nullptr);
  if (ret != 0) {
    return crypto::internal::MbedtlsStatus(ret, StatusCode::kInvalidArgument, "certificate: does not parse");
  }
  return OkStatus();
}

StatusOr<crypto::HashAlg> HashOfSignature(const mbedtls_x509_crt& crt) {
  switch (crt.sig_md) {
    case MBEDTLS_MD_SHA256: return crypto::HashAlg::kSha256;
    case MBEDTLS_MD_SHA384: return crypto::HashAlg::kSha384;
    case MBEDTLS_MD_SHA512: return crypto::HashAlg::kSha512;
    default: return InvalidArgumentError("certificate: signature hash must be SHA-256/384/512");
  }
}

}  // namespace pki::appliance::ca::internal
