// cms.h — detached CMS SignedData for code signing, signed remotely.
//
// The signer never sees the artifact: the client hashes it, the signer
// builds a SignedData whose signed attributes (contentType id-data,
// messageDigest = the client's digest, signingTime) are DER-encoded and
// signed by a callback (KeyPool::Sign on the HSM key). The output verifies
// with `openssl cms -verify -binary -content FILE -CAfile ROOT`.
//
// Link target: pki::signer_cms.
#ifndef PKI_SIGNER_CMS_H_
#define PKI_SIGNER_CMS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status_or.h"
#include "signer/key_pool.h"

namespace pki::signer {

// RawSignFn signs |input| (a digest of DigestLength(alg) bytes) with the
// signer certificate's key; returns a DER ECDSA-Sig-Value or a raw RSA
// PKCS#1 v1.5 signature. Its errors are returned unchanged.
using RawSignFn = std::function<StatusOr<std::string>(SignAlgorithm alg, ByteSpan input)>;

struct CmsSignRequest {
  std::string content_digest;          // SHA-256 (32 bytes) or SHA-384 (48 bytes) of the file
  SignAlgorithm algorithm = SignAlgorithm::kEcdsaP256Sha256;  // its hash must be the digest's
  std::string signer_cert_der;         // the code-signing certificate
  std::vector<std::string> chain_der;  // intermediates to include (not the root)
  int64_t signing_time_unix = 0;       // 0: now
};

// SignDetachedCms returns a new DER ContentInfo (SignedData, detached,
// one SignerInfo by issuer and serial) the caller owns. Supported: ECDSA
// P-256/SHA-256, P-384/SHA-384, RSA PKCS#1 v1.5 with SHA-256/384/512.
// INVALID_ARGUMENT names a digest of the wrong length, an algorithm the
// certificate's key cannot make, or a certificate that does not parse;
// UNIMPLEMENTED for Ed25519 and RSA-PSS; INTERNAL if the callback's
// signature does not verify under the certificate (nothing released).
StatusOr<std::string> SignDetachedCms(const CmsSignRequest& request, const RawSignFn& sign);

struct CmsVerified {
  std::string signer_cert_der;
  int64_t signing_time_unix = 0;  // 0 if absent
};

// VerifyDetachedCms checks |cms_der| against |content_digest|: one
// SignerInfo whose certificate chains (certificates inside the CMS as
// untrusted) to one of |trusted_roots_der| and has the codeSigning EKU,
// whose signature over the signed
// attributes verifies, whose contentType is id-data and whose messageDigest
// equals |content_digest| under its digest algorithm. INVALID_ARGUMENT for
// a malformed CMS or bad roots; PERMISSION_DENIED ("does not verify") for a
// signature, chain or digest that does not match.
StatusOr<CmsVerified> VerifyDetachedCms(std::string_view cms_der, ByteSpan content_digest,
                                        const std::vector<std::string>& trusted_roots_der);

}  // namespace pki::signer

#endif  // PKI_SIGNER_CMS_H_
