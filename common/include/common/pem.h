// pem.h — PEM/DER conversions for certificates, CSRs, CRLs and keys (host).
#ifndef PKI_COMMON_PEM_H_
#define PKI_COMMON_PEM_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status_or.h"
#include "common/ossl.h"

namespace pki {

// ParseCertificates reads one or more certificates from PEM or a single DER
// certificate; INVALID_ARGUMENT if none parses. Returns new X509s the caller owns.
StatusOr<std::vector<OsslPtr<X509>>> ParseCertificates(std::string_view pem_or_der);

// ParseCsr reads a PKCS#10 request from PEM or DER. Returns a new X509_REQ.
StatusOr<OsslPtr<X509_REQ>> ParseCsr(std::string_view pem_or_der);

// CertificateToDer / CertificateToPem encode |cert| (borrowed).
StatusOr<std::string> CertificateToDer(X509& cert);
StatusOr<std::string> CertificateToPem(X509& cert);

// DerToPem wraps |der| in a PEM block labelled |label| ("CERTIFICATE", ...).
std::string DerToPem(std::string_view label, std::string_view der);

}  // namespace pki

#endif  // PKI_COMMON_PEM_H_
