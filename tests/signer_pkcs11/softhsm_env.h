// softhsm_env.h — real SoftHSMv2 tokens in a temporary folder for tests.
//
// SoftHsmEnv writes a softhsm2.conf pointing at a fresh token folder and sets
// SOFTHSM2_CONF before any module is loaded; tokens are initialized through
// the PKCS#11 API (no PIN on any command line). Test-only.
#ifndef PKI_TESTS_SIGNER_PKCS11_SOFTHSM_ENV_H_
#define PKI_TESTS_SIGNER_PKCS11_SOFTHSM_ENV_H_

#include <string>
#include <vector>

#include "base/status_or.h"
#include "signer/pool_config.h"

namespace pki::testing {

inline constexpr const char* kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";
inline constexpr const char* kUserPin = "user-pin-1234";

class SoftHsmEnv final {
 public:
  // Creates the folder and config and sets SOFTHSM2_CONF. Aborts the test
  // process on failure (test setup only).
  SoftHsmEnv();
  // Removes the folder.
  ~SoftHsmEnv();

  const std::string& dir() const { return dir_; }
  // PinFile returns a 0600 file holding kUserPin.
  const std::string& pin_file() const { return pin_file_; }

  // InitToken initializes a free slot's token labelled |label| with kUserPin.
  Status InitToken(const std::string& label);

  // GenerateKey makes a key pair (signerctl's keygen) labelled |label| of
  // |type| ("ec-p256"...) on token |token|; returns its private key URI.
  StatusOr<std::string> GenerateKey(const std::string& token, const std::string& label,
                                    const std::string& type);

  // ImportEcKey imports the same software P-256 key (PEM private key |pem|)
  // into |token| as a sensitive, non-extractable private key plus its public
  // key, labelled |label|, CKA_ID |id| — the test's stand-in for an HSM's
  // key backup/clone between replicas. |extractable| makes it extractable.
  Status ImportEcKey(const std::string& token, const std::string& label, const std::string& id,
                     const std::string& pem, bool extractable = false);

  // Config returns a PoolConfig with |module| and a login for each token.
  signer::PoolConfig Config(const std::string& module, const std::vector<std::string>& tokens) const;

 private:
  std::string dir_;
  std::string pin_file_;
};

// NewEcP256Pem returns a fresh software P-256 private key in PEM.
std::string NewEcP256Pem();

// RunCommand runs |argv| (no shell), returning its exit status and filling
// |out| with stdout+stderr. |env| adds "K=V" entries.
int RunCommand(const std::vector<std::string>& argv, std::string* out,
               const std::vector<std::string>& env = {});

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNER_PKCS11_SOFTHSM_ENV_H_
