#include "signer/key_pool.h"

namespace pki::signer {

size_t DigestLength(SignAlgorithm alg) {
  switch (alg) {
    case SignAlgorithm::kEcdsaP256Sha256:
    case SignAlgorithm::kRsaPkcs1Sha256:
    case SignAlgorithm::kRsaPssSha256:
      return 32;
    case SignAlgorithm::kEcdsaP384Sha384:
    case SignAlgorithm::kRsaPkcs1Sha384:
    case SignAlgorithm::kRsaPssSha384:
      return 48;
    case SignAlgorithm::kRsaPkcs1Sha512:
    case SignAlgorithm::kRsaPssSha512:
      return 64;
    case SignAlgorithm::kEd25519:
    case SignAlgorithm::kUnspecified:
      return 0;
  }
  return 0;
}

const char* AlgorithmName(SignAlgorithm alg) {
  switch (alg) {
    case SignAlgorithm::kEcdsaP256Sha256: return "ecdsa-p256-sha256";
    case SignAlgorithm::kEcdsaP384Sha384: return "ecdsa-p384-sha384";
    case SignAlgorithm::kRsaPkcs1Sha256: return "rsa-pkcs1-sha256";
    case SignAlgorithm::kRsaPkcs1Sha384: return "rsa-pkcs1-sha384";
    case SignAlgorithm::kRsaPkcs1Sha512: return "rsa-pkcs1-sha512";
    case SignAlgorithm::kRsaPssSha256: return "rsa-pss-sha256";
    case SignAlgorithm::kRsaPssSha384: return "rsa-pss-sha384";
    case SignAlgorithm::kRsaPssSha512: return "rsa-pss-sha512";
    case SignAlgorithm::kEd25519: return "ed25519";
    case SignAlgorithm::kUnspecified: return "unspecified";
  }
  return "unspecified";
}

}  // namespace pki::signer
