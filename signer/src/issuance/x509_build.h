// x509_build.h — small OpenSSL helpers the engine uses to build and
// assemble certificates.
#ifndef PKI_SIGNER_ISSUANCE_X509_BUILD_H_
#define PKI_SIGNER_ISSUANCE_X509_BUILD_H_

#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "base/status_or.h"
#include "common/ossl.h"
#include "signer/key_pool.h"

namespace pki::signer::internal {

// HexLower returns |data| as lower-case hex.
std::string HexLower(std::string_view data);
// Sha256 returns the raw SHA-256 of |data|.
std::string Sha256(std::string_view data);

// DigestFor returns the EVP_MD |alg| hashes with (null for Ed25519 and for
// algorithms the issuance engine does not sign with: RSA-PSS).
const EVP_MD* DigestFor(SignAlgorithm alg);

// IssuerKeyFits returns OK if |key| can make |alg| signatures; otherwise
// INVALID_ARGUMENT naming the mismatch.
Status IssuerKeyFits(SignAlgorithm alg, EVP_PKEY& key);

// NewThrowawayKey returns a fresh key able to make |alg| signatures (the
// lint copy's signer); the caller owns it.
StatusOr<OsslPtr<EVP_PKEY>> NewThrowawayKey(SignAlgorithm alg);

// TbsDer returns i2d_re_X509_tbs of |cert| (re-encoded).
StatusOr<std::string> TbsDer(X509& cert);

// AssembleCertificate returns the DER Certificate SEQUENCE { |tbs_der|,
// |alg_der|, BIT STRING |signature| }.
std::string AssembleCertificate(std::string_view tbs_der, std::string_view alg_der,
                                std::string_view signature);

// ParseDerCertificate parses |der| wholly (no trailing bytes).
StatusOr<OsslPtr<X509>> ParseDerCertificate(std::string_view der);

// AsnTimeToUnix converts |t|; INVALID_ARGUMENT if unreadable.
StatusOr<int64_t> AsnTimeToUnix(const ASN1_TIME& t);

// NewExtension returns a new extension from OpenSSL's config syntax |value|
// for |nid| in |ctx|; INTERNAL with OpenSSL's errors otherwise.
StatusOr<OsslPtr<X509_EXTENSION>> NewExtension(X509V3_CTX& ctx, int nid, const std::string& value);

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_ISSUANCE_X509_BUILD_H_
