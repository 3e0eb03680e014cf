// convert.h — between the API's proto enums and the pool's types.
#ifndef PKI_SIGNER_SERVER_CONVERT_H_
#define PKI_SIGNER_SERVER_CONVERT_H_

#include <optional>

#include "signer/key_pool.h"
#include "signer/v1/signer.pb.h"

namespace pki::signer {

// ToSignAlgorithm returns the pool's algorithm for |alg|; nullopt for
// UNSPECIFIED or a value this server does not know.
std::optional<SignAlgorithm> ToSignAlgorithm(int alg);
v1::Algorithm ToProto(SignAlgorithm alg);
v1::KeyPurpose ToProto(KeyPurpose purpose);
v1::KeyState ToProto(KeyHealth health);

// The hash an algorithm signs over, as SignRequest.digest's oneof case;
// DIGEST_NOT_SET for a pure scheme (Ed25519).
v1::Digest::DigestCase DigestCaseFor(SignAlgorithm alg);

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_CONVERT_H_
