#include "server/convert.h"

namespace pki::signer {

std::optional<SignAlgorithm> ToSignAlgorithm(int alg) {
  if (alg < 1 || alg > 9) return std::nullopt;
  return static_cast<SignAlgorithm>(alg);
}

v1::Algorithm ToProto(SignAlgorithm alg) { return static_cast<v1::Algorithm>(alg); }

v1::KeyPurpose ToProto(KeyPurpose purpose) {
  return purpose == KeyPurpose::kCertificateIssuance ? v1::CERTIFICATE_ISSUANCE : v1::ARTIFACT_SIGNING;
}

v1::KeyState ToProto(KeyHealth health) {
  switch (health) {
    case KeyHealth::kEnabled: return v1::KEY_ENABLED;
    case KeyHealth::kDegraded: return v1::KEY_DEGRADED;
    case KeyHealth::kUnavailable: return v1::KEY_UNAVAILABLE;
  }
  return v1::KEY_STATE_UNSPECIFIED;
}

v1::Digest::DigestCase DigestCaseFor(SignAlgorithm alg) {
  switch (DigestLength(alg)) {
    case 32: return v1::Digest::kSha256;
    case 48: return v1::Digest::kSha384;
    case 64: return v1::Digest::kSha512;
    default: return v1::Digest::DIGEST_NOT_SET;
  }
}

}  // namespace pki::signer
