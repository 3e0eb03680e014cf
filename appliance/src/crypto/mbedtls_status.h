// mbedtls_status.h — maps mbedTLS error codes to our Status (internal to
// crypto/ and ca/). The message names the operation and the mbedTLS code in
// hex; never any data.
#ifndef PKI_APPLIANCE_CRYPTO_MBEDTLS_STATUS_H_
#define PKI_APPLIANCE_CRYPTO_MBEDTLS_STATUS_H_

#include <string_view>

#include "base/status.h"

namespace pki::appliance::crypto::internal {

// MbedtlsStatus returns OK for |ret| >= 0; otherwise a Status whose code
// follows the mbedTLS error (allocation failure -> RESOURCE_EXHAUSTED, DRBG or
// entropy failure -> UNAVAILABLE, buffer too small -> OUT_OF_RANGE, else
// |fallback|) and whose message is "<what>: mbedTLS error -0x<hex>".
Status MbedtlsStatus(int ret, StatusCode fallback, std::string_view what);

}  // namespace pki::appliance::crypto::internal

#endif  // PKI_APPLIANCE_CRYPTO_MBEDTLS_STATUS_H_
