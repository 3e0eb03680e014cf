#include "crypto/mbedtls_status.h"

#include "mbedtls/asn1.h"
#include "mbedtls/bignum.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ecp.h"
#include "mbedtls/entropy.h"
#include "mbedtls/pk.h"
#include "mbedtls/rsa.h"
#include "mbedtls/x509.h"

namespace pki::appliance::crypto::internal {
namespace {

// The low-level and high-level parts of an mbedTLS error code are added
// together; check both.
bool HasCode(int ret, int code) {
  const int v = -ret;
  const int c = -code;
  if (c >= 0x1000) return (v & 0xff80) == c;  // high-level (PK, X509, ...)
  return (v & 0x7f) == c || v == c;           // low-level
}

StatusCode CodeFor(int ret, StatusCode fallback) {
  if (HasCode(ret, MBEDTLS_ERR_MPI_ALLOC_FAILED) || HasCode(ret, MBEDTLS_ERR_ECP_ALLOC_FAILED) ||
      HasCode(ret, MBEDTLS_ERR_PK_ALLOC_FAILED) || HasCode(ret, MBEDTLS_ERR_X509_ALLOC_FAILED) ||
      HasCode(ret, MBEDTLS_ERR_ASN1_ALLOC_FAILED)) {
    return StatusCode::kResourceExhausted;
  }
  if (HasCode(ret, MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED) ||
      HasCode(ret, MBEDTLS_ERR_ENTROPY_SOURCE_FAILED) ||
      HasCode(ret, MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE) ||
      HasCode(ret, MBEDTLS_ERR_ENTROPY_NO_SOURCES_DEFINED)) {
    return StatusCode::kUnavailable;
  }
  if (HasCode(ret, MBEDTLS_ERR_ASN1_BUF_TOO_SMALL) ||
      HasCode(ret, MBEDTLS_ERR_X509_BUFFER_TOO_SMALL) || HasCode(ret, MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL) ||
      HasCode(ret, MBEDTLS_ERR_ECP_BUFFER_TOO_SMALL)) {
    return StatusCode::kOutOfRange;
  }
  return fallback;
}

}  // namespace

Status MbedtlsStatus(int ret, StatusCode fallback, std::string_view what) {
  if (ret >= 0) return OkStatus();
  static constexpr char kHex[] = "0123456789abcdef";
  const unsigned v = static_cast<unsigned>(-ret);
  char hex[5] = {kHex[(v >> 12) & 0xf], kHex[(v >> 8) & 0xf], kHex[(v >> 4) & 0xf], kHex[v & 0xf], 0};
  Status s(CodeFor(ret, fallback), what);
  s.Append(": mbedTLS error -0x").Append(hex);
  return s;
}

}  // namespace pki::appliance::crypto::internal
