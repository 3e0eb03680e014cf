// result_check.h — after Execute: the released artifact must sign exactly
// the bytes the quorum approved and verify under the root public key.
#ifndef PKI_CEREMONY_RUNNER_RESULT_CHECK_H_
#define PKI_CEREMONY_RUNNER_RESULT_CHECK_H_

#include <string_view>

#include "base/status_or.h"
#include "common/ossl.h"

namespace pki::ceremony {

// RootPublicKey returns the public key of the root certificate |root_der|,
// after checking the certificate is self-signed by it. INVALID_ARGUMENT
// otherwise. The caller owns the key.
StatusOr<OsslPtr<EVP_PKEY>> RootPublicKey(std::string_view root_der);

// CheckCertificate: |cert_der| parses, its TBSCertificate equals
// |previewed_tbs| byte for byte (unless that is empty) and its signature
// verifies under |root_key| (borrowed). DATA_LOSS naming which check failed.
Status CheckCertificate(std::string_view cert_der, std::string_view previewed_tbs, EVP_PKEY& root_key);

// CheckCrl: the same for a CRL and its TBSCertList.
Status CheckCrl(std::string_view crl_der, std::string_view previewed_tbs, EVP_PKEY& root_key);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_RUNNER_RESULT_CHECK_H_
