// software_key_pool.h — a KeyPool over OpenSSL software keys, for driving the
// real service in tests before (and beside) the PKCS#11 pool. Signatures are
// real and verified by OpenSSL in the tests. Faults can be injected per key
// (unavailable, slow), which is what makes it a test double at all.
#ifndef PKI_TESTS_SIGNER_SERVER_SOFTWARE_KEY_POOL_H_
#define PKI_TESTS_SIGNER_SERVER_SOFTWARE_KEY_POOL_H_

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/ossl.h"
#include "signer/key_pool.h"

namespace pki::testing {

enum class SoftKeyType { kEcP256, kRsa2048, kEd25519 };

class SoftwareKeyPool final : public signer::KeyPool {
 public:
  // AddKey generates a key version; the last added version of a name is its
  // primary. Returns the SPKI DER.
  std::string AddKey(const std::string& name, uint32_t version, signer::KeyPurpose purpose, SoftKeyType type);

  // SetChain sets the certificate chain (DER, certificate first) Describe
  // reports for |name| version |version| (which must exist).
  void SetChain(const std::string& name, uint32_t version, std::vector<std::string> chain_der);

  // SetUnavailable makes every Sign of |name| fail as a dead token would,
  // and its health report kUnavailable.
  void SetUnavailable(const std::string& name, bool unavailable);
  // SetSignDelay makes every Sign sleep first (for in-flight shutdown tests).
  void SetSignDelay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }
  int sign_calls() const { return sign_calls_; }

  StatusOr<signer::SignResult> Sign(std::string_view name, uint32_t version, signer::SignAlgorithm alg,
                                    ByteSpan input, std::chrono::milliseconds deadline,
                                    std::string* out_detail) override;
  StatusOr<signer::KeyVersionInfo> Describe(std::string_view name, uint32_t version) override;
  std::vector<signer::KeyVersionInfo> List() override;

 private:
  struct Key {
    signer::KeyVersionInfo info;
    OsslPtr<EVP_PKEY> pkey;
  };
  Key* Find(std::string_view name, uint32_t version);  // requires mu_

  std::mutex mu_;
  std::map<std::pair<std::string, uint32_t>, Key> keys_;
  std::map<std::string, uint32_t, std::less<>> primary_;
  std::map<std::string, bool, std::less<>> unavailable_;
  std::atomic<int64_t> delay_ms_{0};
  std::atomic<int> sign_calls_{0};
};

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNER_SERVER_SOFTWARE_KEY_POOL_H_
