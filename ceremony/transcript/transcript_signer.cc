#include "ceremony/transcript/transcript_signer.h"

#include <openssl/pem.h>

#include "common/pem.h"

namespace pki::ceremony {
namespace {

StatusOr<std::string> SpkiDer(EVP_PKEY& key) {
  const int len = i2d_PUBKEY(&key, nullptr);
  if (len <= 0) return OsslError(StatusCode::kInvalidArgument, "public key does not encode");
  std::string out(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (i2d_PUBKEY(&key, &p) != len) return OsslError(StatusCode::kInternal, "i2d_PUBKEY");
  return out;
}

}  // namespace

std::string TranscriptSignatureMessage(ByteSpan sha256) {
  std::string m(kTranscriptSignatureLabel);
  m.append(reinterpret_cast<const char*>(sha256.data()), sha256.size());
  return m;
}

StatusOr<std::unique_ptr<EvpTranscriptSigner>> EvpTranscriptSigner::Create(OsslPtr<EVP_PKEY> key) {
  if (key == nullptr) return InvalidArgumentError("transcript signer: no key");
  PKI_ASSIGN_OR_RETURN(std::string der, SpkiDer(*key));
  return std::unique_ptr<EvpTranscriptSigner>(new EvpTranscriptSigner(std::move(key), std::move(der)));
}

StatusOr<std::string> EvpTranscriptSigner::SignDigest(ByteSpan sha256) {
  if (sha256.size() != 32) return InvalidArgumentError("transcript signer: digest is not 32 bytes");
  const std::string message = TranscriptSignatureMessage(sha256);
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) <= 0) {
    return OsslError(StatusCode::kInternal, "transcript signer: init");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(message.data());
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, message.size()) <= 0) {
    return OsslError(StatusCode::kInternal, "transcript signer: size");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, message.size()) <= 0) {
    return OsslError(StatusCode::kInternal, "transcript signer: sign");
  }
  sig.resize(len);
  return sig;
}

Status VerifyDigestSignature(std::string_view spki_der, ByteSpan sha256, std::string_view signature) {
  if (sha256.size() != 32) return InvalidArgumentError("transcript digest is not 32 bytes");
  const auto* p = reinterpret_cast<const unsigned char*>(spki_der.data());
  OsslPtr<EVP_PKEY> key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
  if (!key) return OsslError(StatusCode::kInvalidArgument, "audit public key does not parse");
  const std::string message = TranscriptSignatureMessage(sha256);
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) <= 0) {
    return OsslError(StatusCode::kInternal, "verify init");
  }
  const int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                  signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
  OpenSslErrors();  // drop the queue: a bad signature is our answer, not an OpenSSL error
  if (rc != 1) return Status(StatusCode::kUnauthenticated, "signature does not verify under the audit key");
  return OkStatus();
}

StatusOr<std::string> PublicKeyDerFromPem(std::string_view pem) {
  OsslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  OsslPtr<EVP_PKEY> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    OpenSslErrors();
    auto certs = ParseCertificates(pem);
    if (!certs.ok() || certs->empty()) return InvalidArgumentError("no public key or certificate in the PEM");
    key.reset(X509_get_pubkey((*certs)[0].get()));
    if (!key) return OsslError(StatusCode::kInvalidArgument, "certificate has no usable public key");
  }
  return SpkiDer(*key);
}

}  // namespace pki::ceremony
