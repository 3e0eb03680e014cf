#include "mechanisms.h"

namespace pki::signer::internal {
namespace {

// DER DigestInfo prefixes (RFC 8017 section 9.2, note 1).
constexpr uint8_t kSha256Prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
constexpr uint8_t kSha384Prefix[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
constexpr uint8_t kSha512Prefix[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

void SetPss(SignPlan* plan, CK_MECHANISM_TYPE hash, CK_RSA_PKCS_MGF_TYPE mgf, size_t len) {
  plan->has_pss_params = true;
  plan->pss.hashAlg = hash;
  plan->pss.mgf = mgf;
  plan->pss.sLen = static_cast<CK_ULONG>(len);
}

}  // namespace

std::vector<SignAlgorithm> AlgorithmsFor(KeyKind kind) {
  switch (kind) {
    case KeyKind::kEcP256:
      return {SignAlgorithm::kEcdsaP256Sha256};
    case KeyKind::kEcP384:
      return {SignAlgorithm::kEcdsaP384Sha384};
    case KeyKind::kRsa:
      return {SignAlgorithm::kRsaPkcs1Sha256, SignAlgorithm::kRsaPkcs1Sha384,
              SignAlgorithm::kRsaPkcs1Sha512, SignAlgorithm::kRsaPssSha256,
              SignAlgorithm::kRsaPssSha384,   SignAlgorithm::kRsaPssSha512};
    case KeyKind::kEd25519:
      return {SignAlgorithm::kEd25519};
  }
  return {};
}

CK_MECHANISM_TYPE MechanismFor(SignAlgorithm alg) {
  switch (alg) {
    case SignAlgorithm::kEcdsaP256Sha256:
    case SignAlgorithm::kEcdsaP384Sha384:
      return CKM_ECDSA;
    case SignAlgorithm::kRsaPkcs1Sha256:
    case SignAlgorithm::kRsaPkcs1Sha384:
    case SignAlgorithm::kRsaPkcs1Sha512:
      return CKM_RSA_PKCS;
    case SignAlgorithm::kRsaPssSha256:
    case SignAlgorithm::kRsaPssSha384:
    case SignAlgorithm::kRsaPssSha512:
      return CKM_RSA_PKCS_PSS;
    case SignAlgorithm::kEd25519:
      return CKM_EDDSA;
    case SignAlgorithm::kUnspecified:
      break;
  }
  return CKM_VENDOR_DEFINED;
}

StatusOr<SignPlan> PlanSignature(SignAlgorithm alg, ByteSpan input) {
  if (alg == SignAlgorithm::kUnspecified) return InvalidArgumentError("algorithm not specified");
  size_t want = DigestLength(alg);
  if (alg == SignAlgorithm::kEd25519) {
    if (input.empty()) return InvalidArgumentError("Ed25519 signs a message: it is empty");
  } else if (input.size() != want) {
    return InvalidArgumentError("digest length ")
        .AppendNumber(input.size())
        .Append(" is wrong for ")
        .Append(AlgorithmName(alg))
        .Append(" (want ")
        .AppendNumber(want)
        .Append(")");
  }
  SignPlan plan;
  plan.mechanism = MechanismFor(alg);
  std::string_view digest = AsChars(input);
  switch (alg) {
    case SignAlgorithm::kEcdsaP256Sha256:
    case SignAlgorithm::kEcdsaP384Sha384:
      plan.raw_ecdsa = true;
      plan.data.assign(digest);
      break;
    case SignAlgorithm::kRsaPkcs1Sha256:
      plan.data.assign(AsChars(ByteSpan(kSha256Prefix))).append(digest);
      break;
    case SignAlgorithm::kRsaPkcs1Sha384:
      plan.data.assign(AsChars(ByteSpan(kSha384Prefix))).append(digest);
      break;
    case SignAlgorithm::kRsaPkcs1Sha512:
      plan.data.assign(AsChars(ByteSpan(kSha512Prefix))).append(digest);
      break;
    case SignAlgorithm::kRsaPssSha256:
      SetPss(&plan, CKM_SHA256, CKG_MGF1_SHA256, 32);
      plan.data.assign(digest);
      break;
    case SignAlgorithm::kRsaPssSha384:
      SetPss(&plan, CKM_SHA384, CKG_MGF1_SHA384, 48);
      plan.data.assign(digest);
      break;
    case SignAlgorithm::kRsaPssSha512:
      SetPss(&plan, CKM_SHA512, CKG_MGF1_SHA512, 64);
      plan.data.assign(digest);
      break;
    case SignAlgorithm::kEd25519:
      plan.data.assign(digest);
      break;
    case SignAlgorithm::kUnspecified:
      break;
  }
  return plan;
}

StatusOr<std::string> FinishSignature(const SignPlan& plan, std::string raw) {
  if (!plan.raw_ecdsa) return raw;
  return EcdsaRawToDer(AsBytes(raw));
}

}  // namespace pki::signer::internal
