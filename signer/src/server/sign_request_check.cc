#include "server/sign_request_check.h"

#include "base/bytes.h"
#include "base/crc32.h"
#include "server/convert.h"

namespace pki::signer {

ApiError CheckSignFields(const v1::SignRequest& req) {
  if (req.request_id().size() > kMaxRequestIdBytes) {
    return MakeError(InvalidArgumentError("request_id longer than 128 bytes"));
  }
  if (req.key_name().empty()) return MakeError(InvalidArgumentError("key_name is required"));
  return ApiError{};
}

ApiError SignInputOf(const v1::SignRequest& req, SignAlgorithm alg, std::string_view* out_input) {
  if (alg == SignAlgorithm::kEd25519) {
    if (req.input_case() != v1::SignRequest::kMessage) {
      return MakeError(InvalidArgumentError("ed25519 signs a message, not a digest"), "INPUT_MISMATCH");
    }
    if (req.message().size() > kMaxMessageBytes) {
      return MakeError(InvalidArgumentError("message larger than 64 KiB"), "MESSAGE_TOO_LARGE");
    }
    *out_input = req.message();
    return ApiError{};
  }
  if (req.input_case() != v1::SignRequest::kDigest) {
    return MakeError(InvalidArgumentError("this algorithm signs a digest, not a message"), "INPUT_MISMATCH");
  }
  const v1::Digest& d = req.digest();
  if (d.digest_case() != DigestCaseFor(alg)) {
    return MakeError(InvalidArgumentError("digest hash does not match the algorithm"), "DIGEST_MISMATCH");
  }
  std::string_view input = d.digest_case() == v1::Digest::kSha256   ? d.sha256()
                           : d.digest_case() == v1::Digest::kSha384 ? d.sha384()
                                                                    : d.sha512();
  if (input.size() != DigestLength(alg)) {
    return MakeError(InvalidArgumentError("digest length does not match its hash"), "DIGEST_LENGTH");
  }
  *out_input = input;
  return ApiError{};
}

ApiError CheckInputCrc32c(const v1::SignRequest& req, std::string_view input) {
  if (req.has_input_crc32c() && Crc32c(AsBytes(input)) != req.input_crc32c()) {
    return MakeError(DataLossError("input_crc32c does not match the input"), "INPUT_CRC32C_MISMATCH");
  }
  return ApiError{};
}

}  // namespace pki::signer
