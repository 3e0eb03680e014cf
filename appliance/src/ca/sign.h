// sign.h — the one signing step for every certificate and CRL the root makes.
//
// Flow: Build*Tbs returns the exact to-be-signed DER (the host previews and
// lints it; people compare its SHA-256); the caller journals it; then
// SignCertificate/SignCrl (1) checks that the TBS parses as a TBSCertificate /
// TBSCertList whose signature AlgorithmIdentifier is the one for the issuer
// key (so the root key never signs anything else), (2) signs, (3) assembles
// the DER, (4) parses the result back and verifies its signature with the
// issuer's public key before anything is released. ECDSA AlgorithmIdentifiers
// have absent parameters (RFC 5758), unlike mbedTLS 2.28's x509write.
#ifndef PKI_APPLIANCE_CA_SIGN_H_
#define PKI_APPLIANCE_CA_SIGN_H_

#include <cstddef>

#include "base/bytes.h"
#include "base/status_or.h"
#include "crypto/digest.h"
#include "crypto/drbg.h"
#include "crypto/keypair.h"

namespace pki::appliance::ca {

// SignCertificate signs |tbs| (a TBSCertificate from Build*Tbs) with
// |issuer_key| and writes the DER Certificate to the front of |out_cert|;
// returns its length. INVALID_ARGUMENT if |tbs| is not a TBSCertificate for
// this key's signature algorithm (nothing is signed); OUT_OF_RANGE if
// |out_cert| is too small; INTERNAL if the result fails its own parse-back or
// signature check (|out_cert| is then wiped: nothing is released).
StatusOr<size_t> SignCertificate(crypto::KeyPair& issuer_key, crypto::Drbg& drbg, ByteSpan tbs,
                                 MutableByteSpan out_cert);

// SignCrl is SignCertificate for a TBSCertList from BuildCrlTbs; writes the
// DER CertificateList.
StatusOr<size_t> SignCrl(crypto::KeyPair& issuer_key, crypto::Drbg& drbg, ByteSpan tbs,
                         MutableByteSpan out_crl);

// TbsDigest returns SHA-256 of |tbs| (what people compare on the host and the
// appliance display). Never fails.
crypto::Sha256Digest TbsDigest(ByteSpan tbs);

}  // namespace pki::appliance::ca

#endif  // PKI_APPLIANCE_CA_SIGN_H_
