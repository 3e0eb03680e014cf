// mechanisms.h — which algorithms a key can do, and how each one is asked of
// a PKCS#11 token: mechanism, parameters, and the bytes passed to C_Sign.
//
//   ECDSA P-256/P-384   CKM_ECDSA over the digest; r||s converted to DER
//   RSA PKCS#1 v1.5     CKM_RSA_PKCS over DigestInfo || digest
//   RSA-PSS             CKM_RSA_PKCS_PSS over the digest, salt = hash length,
//                       MGF1 with the same hash
//   Ed25519             CKM_EDDSA over the message
#ifndef PKI_SIGNER_SRC_PKCS11_MECHANISMS_H_
#define PKI_SIGNER_SRC_PKCS11_MECHANISMS_H_

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status_or.h"
#include "p11.h"
#include "public_key.h"
#include "signer/key_pool.h"

namespace pki::signer::internal {

// A signing request as the token sees it. Self-contained (owns its data) so
// it may outlive the caller's buffers.
struct SignPlan {
  CK_MECHANISM_TYPE mechanism = CKM_ECDSA;
  bool has_pss_params = false;
  CK_RSA_PKCS_PSS_PARAMS pss{};
  std::string data;          // what C_Sign gets
  bool raw_ecdsa = false;    // convert r||s to DER afterwards

  // Mechanism returns the CK_MECHANISM pointing into this plan (borrowed).
  CK_MECHANISM Mechanism() {
    CK_MECHANISM m{};
    m.mechanism = mechanism;
    if (has_pss_params) {
      m.pParameter = &pss;
      m.ulParameterLen = sizeof(pss);
    }
    return m;
  }
};

// AlgorithmsFor returns what a key of |kind| can sign with (before checking
// which mechanisms its token offers).
std::vector<SignAlgorithm> AlgorithmsFor(KeyKind kind);

// MechanismFor returns the PKCS#11 mechanism |alg| needs.
CK_MECHANISM_TYPE MechanismFor(SignAlgorithm alg);

// PlanSignature prepares |alg| over |input| (a digest of DigestLength(alg)
// bytes, or the message for Ed25519). INVALID_ARGUMENT for a wrong digest
// length, an empty Ed25519 message or an unspecified algorithm.
StatusOr<SignPlan> PlanSignature(SignAlgorithm alg, ByteSpan input);

// FinishSignature turns the token's output into the API's form (DER for
// ECDSA, unchanged otherwise).
StatusOr<std::string> FinishSignature(const SignPlan& plan, std::string raw);

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_SRC_PKCS11_MECHANISMS_H_
