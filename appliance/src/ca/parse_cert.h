// parse_cert.h — RAII over mbedtls_x509_crt for ca/ (internal). Parses with
// an extension callback that accepts the critical NameConstraints our
// intermediates carry (mbedTLS 2.28 does not know it and would refuse the
// certificate), and refuses every other unknown critical extension.
#ifndef PKI_APPLIANCE_CA_PARSE_CERT_H_
#define PKI_APPLIANCE_CA_PARSE_CERT_H_

#include "base/bytes.h"
#include "base/status_or.h"
#include "crypto/digest.h"
#include "mbedtls/x509_crt.h"

namespace pki::appliance::ca::internal {

class ParsedCert final {
 public:
  ParsedCert() { mbedtls_x509_crt_init(&crt_); }
  ~ParsedCert() { mbedtls_x509_crt_free(&crt_); }
  ParsedCert(const ParsedCert&) = delete;
  ParsedCert& operator=(const ParsedCert&) = delete;

  // Parse reads one DER certificate; |der| must outlive this object (it is
  // not copied). INVALID_ARGUMENT "certificate: does not parse ..." otherwise.
  [[nodiscard]] Status Parse(ByteSpan der);
  const mbedtls_x509_crt* get() const { return &crt_; }

 private:
  mbedtls_x509_crt crt_;
};

// HashOfSignature maps a parsed certificate's signature hash to HashAlg;
// INVALID_ARGUMENT for anything but SHA-256/384/512.
StatusOr<crypto::HashAlg> HashOfSignature(const mbedtls_x509_crt& crt);

}  // namespace pki::appliance::ca::internal

#endif  // PKI_APPLIANCE_CA_PARSE_CERT_H_
