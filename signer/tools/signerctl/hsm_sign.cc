#include "hsm_sign.h"

#include "errors.h"
#include "mechanisms.h"

namespace pki::signerctl {

StatusOr<std::string> SignInToken(HsmSession& hsm, CK_OBJECT_HANDLE key, signer::SignAlgorithm alg,
                                  ByteSpan input) {
  PKI_ASSIGN_OR_RETURN(signer::internal::SignPlan plan, signer::internal::PlanSignature(alg, input));
  CK_MECHANISM mech = plan.Mechanism();
  std::string detail;
  CK_RV rv = hsm.fn()->C_SignInit(hsm.session(), &mech, key);
  if (rv == CKR_OK) {
    unsigned char sig[1024];
    CK_ULONG len = sizeof(sig);
    rv = hsm.fn()->C_Sign(hsm.session(), reinterpret_cast<CK_BYTE*>(plan.data.data()),
                          static_cast<CK_ULONG>(plan.data.size()), sig, &len);
    if (rv == CKR_OK) {
      return signer::internal::FinishSignature(plan, std::string(reinterpret_cast<char*>(sig), len));
    }
  }
  Status s = signer::internal::RvToStatus("signing in the token", rv, &detail);
  return Status(s.code(), s.message()).Append(" (").Append(detail).Append(")");
}

signer::SignAlgorithm DefaultAlgorithm(signer::internal::KeyKind kind) {
  switch (kind) {
    case signer::internal::KeyKind::kEcP256: return signer::SignAlgorithm::kEcdsaP256Sha256;
    case signer::internal::KeyKind::kEcP384: return signer::SignAlgorithm::kEcdsaP384Sha384;
    case signer::internal::KeyKind::kRsa: return signer::SignAlgorithm::kRsaPkcs1Sha256;
    case signer::internal::KeyKind::kEd25519: return signer::SignAlgorithm::kEd25519;
  }
  return signer::SignAlgorithm::kUnspecified;
}

}  // namespace pki::signerctl
