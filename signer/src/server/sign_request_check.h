// sign_request_check.h — the shape checks signerd applies to a SignRequest's
// fields before policy and the HSM pool see it. Pure functions over the
// parsed request, so the Sign handler and the request fuzz target run the
// very same code.
#ifndef PKI_SIGNER_SERVER_SIGN_REQUEST_CHECK_H_
#define PKI_SIGNER_SERVER_SIGN_REQUEST_CHECK_H_

#include <cstddef>
#include <string_view>

#include "server/errors.h"
#include "signer/key_pool.h"
#include "signer/v1/signer.pb.h"

namespace pki::signer {

inline constexpr size_t kMaxMessageBytes = 64 * 1024;
inline constexpr size_t kMaxRequestIdBytes = 128;

// CheckSignFields checks the fields every Sign request needs before policy:
// request_id at most kMaxRequestIdBytes, key_name present. Returns an OK
// ApiError, or INVALID_ARGUMENT naming the field.
ApiError CheckSignFields(const v1::SignRequest& req);

// SignInputOf checks that |req| carries the input |alg| signs (a message of
// at most kMaxMessageBytes for Ed25519; otherwise a digest of the
// algorithm's hash with that hash's length) and sets *out_input to a view of
// those bytes, borrowed from |req|. Returns an OK ApiError, or
// INVALID_ARGUMENT with reason INPUT_MISMATCH, MESSAGE_TOO_LARGE,
// DIGEST_MISMATCH or DIGEST_LENGTH (*out_input untouched).
ApiError SignInputOf(const v1::SignRequest& req, SignAlgorithm alg, std::string_view* out_input);

// CheckInputCrc32c returns OK when |req| has no input_crc32c or it matches
// CRC-32C of |input|; DATA_LOSS with reason INPUT_CRC32C_MISMATCH otherwise.
ApiError CheckInputCrc32c(const v1::SignRequest& req, std::string_view input);

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_SIGN_REQUEST_CHECK_H_
