// transcript_signer.h — who signs a transcript: the appliance's audit key in
// a real ceremony (through the ApplianceSession), an OpenSSL key in tests and
// rehearsals. The transcript digest is SHA-256 of the exact body bytes; what
// is signed (ECDSA/RSA with SHA-256) is the domain-separated message
//   "pki-transcript-v1" || digest
// exactly as the appliance's SignTranscript does (docs/appliance-link.md),
// so a transcript signature never passes for a journal signature.
#ifndef PKI_CEREMONY_TRANSCRIPT_TRANSCRIPT_SIGNER_H_
#define PKI_CEREMONY_TRANSCRIPT_TRANSCRIPT_SIGNER_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"
#include "common/ossl.h"

namespace pki::ceremony {

// kTranscriptSignatureLabel prefixes the digest in what is signed.
inline constexpr std::string_view kTranscriptSignatureLabel = "pki-transcript-v1";

// TranscriptSignatureMessage returns kTranscriptSignatureLabel || |sha256|:
// the bytes a transcript signature covers (hashed with SHA-256 by the
// signature scheme).
std::string TranscriptSignatureMessage(ByteSpan sha256);

class TranscriptSigner {
 public:
  virtual ~TranscriptSigner() = default;
  // SignDigest returns a DER signature over TranscriptSignatureMessage of the
  // 32-byte transcript digest |sha256|; on failure
  // the Status says why (UNAVAILABLE if the signing device is gone).
  virtual StatusOr<std::string> SignDigest(ByteSpan sha256) = 0;
  // PublicKeyDer returns the signing key's SubjectPublicKeyInfo DER.
  virtual std::string PublicKeyDer() const = 0;
};

// EvpTranscriptSigner signs with an OpenSSL private key the caller hands
// over (tests, rehearsals without an audit key on the device).
class EvpTranscriptSigner final : public TranscriptSigner {
 public:
  // Create takes ownership of |key|; INVALID_ARGUMENT if it is null or has
  // no public half to export.
  static StatusOr<std::unique_ptr<EvpTranscriptSigner>> Create(OsslPtr<EVP_PKEY> key);
  StatusOr<std::string> SignDigest(ByteSpan sha256) override;
  std::string PublicKeyDer() const override { return public_der_; }

 private:
  EvpTranscriptSigner(OsslPtr<EVP_PKEY> key, std::string public_der)
      : key_(std::move(key)), public_der_(std::move(public_der)) {}
  OsslPtr<EVP_PKEY> key_;
  std::string public_der_;
};

// VerifyDigestSignature checks |signature| over TranscriptSignatureMessage
// of the transcript digest |sha256| under the public key |spki_der|. Returns INVALID_ARGUMENT if the key does not parse,
// UNAUTHENTICATED if the signature does not verify.
Status VerifyDigestSignature(std::string_view spki_der, ByteSpan sha256, std::string_view signature);

// PublicKeyDerFromPem reads a PEM public key (or a certificate, whose key is
// taken) and returns its SubjectPublicKeyInfo DER; INVALID_ARGUMENT if none.
StatusOr<std::string> PublicKeyDerFromPem(std::string_view pem);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_TRANSCRIPT_TRANSCRIPT_SIGNER_H_
