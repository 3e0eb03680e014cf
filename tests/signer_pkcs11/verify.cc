#include "verify.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "common/ossl.h"

namespace pki::testing {
namespace {

const EVP_MD* MdOf(signer::SignAlgorithm alg) {
  switch (signer::DigestLength(alg)) {
    case 32: return EVP_sha256();
    case 48: return EVP_sha384();
    case 64: return EVP_sha512();
    default: return nullptr;
  }
}

bool IsPss(signer::SignAlgorithm alg) {
  return alg == signer::SignAlgorithm::kRsaPssSha256 || alg == signer::SignAlgorithm::kRsaPssSha384 ||
         alg == signer::SignAlgorithm::kRsaPssSha512;
}

}  // namespace

std::string Digest(signer::SignAlgorithm alg, const std::string& message) {
  const EVP_MD* md = MdOf(alg);
  if (md == nullptr) return message;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(message.data(), message.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool VerifySignature(const std::string& spki_der, signer::SignAlgorithm alg,
                     const std::string& message, const std::string& signature) {
  const auto* p = reinterpret_cast<const unsigned char*>(spki_der.data());
  OsslPtr<EVP_PKEY> pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
  if (!pkey) return false;
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, MdOf(alg), nullptr, pkey.get()) != 1) return false;
  if (IsPss(alg)) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(signer::DigestLength(alg))) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, MdOf(alg)) != 1) {
      return false;
    }
  }
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                            message.size());
  OpenSslErrors();
  return rc == 1;
}

}  // namespace pki::testing
