// key_pool_tbs_signer.cc — TbsSigner over KeyPool::Sign.
#include <openssl/evp.h>

#include "signer/issuance.h"
#include "x509_build.h"

namespace pki::signer {
namespace {

class KeyPoolTbsSigner final : public TbsSigner {
 public:
  KeyPoolTbsSigner(KeyPool& pool, std::string name, uint32_t version, std::chrono::milliseconds deadline)
      : pool_(pool), name_(std::move(name)), version_(version), deadline_(deadline) {}

  StatusOr<std::string> SignTbs(SignAlgorithm alg, ByteSpan tbs_der) override {
    std::string input;
    if (alg == SignAlgorithm::kEd25519) {
      input.assign(AsChars(tbs_der));
    } else {
      const EVP_MD* md = internal::DigestFor(alg);
      if (md == nullptr) return InvalidArgumentError("algorithm not supported for certificates: ").Append(AlgorithmName(alg));
      unsigned char digest[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      if (EVP_Digest(tbs_der.data(), tbs_der.size(), digest, &len, md, nullptr) != 1) {
        return InternalError("digest of the TBSCertificate failed");
      }
      input.assign(reinterpret_cast<char*>(digest), len);
    }
    std::string detail;
    PKI_ASSIGN_OR_RETURN(SignResult result, pool_.Sign(name_, version_, alg, AsBytes(input), deadline_, &detail));
    return std::move(result.signature);
  }

 private:
  KeyPool& pool_;
  const std::string name_;
  const uint32_t version_;
  const std::chrono::milliseconds deadline_;
};

}  // namespace

std::unique_ptr<TbsSigner> NewKeyPoolTbsSigner(KeyPool& pool, std::string name, uint32_t version,
                                               std::chrono::milliseconds deadline) {
  return std::make_unique<KeyPoolTbsSigner>(pool, std::move(name), version, deadline);
}

}  // namespace pki::signer
