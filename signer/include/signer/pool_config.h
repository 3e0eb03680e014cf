// pool_config.h — the HSM pool's configuration, as plain data.
//
// signer/src/config fills it from the daemon's config file (validated whole,
// errors naming the field); signer/src/pkcs11 builds the pool from it. No
// secret is held here: PINs are read from the files named, when logging in.
#ifndef PKI_SIGNER_POOL_CONFIG_H_
#define PKI_SIGNER_POOL_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "signer/key_pool.h"

namespace pki::signer {

// How to log in to the tokens a PKCS#11 URI selects.
struct TokenLogin {
  std::string token_uri;  // e.g. "pkcs11:token=signer-a" (token attributes only)
  std::string pin_file;   // mode 0600 or stricter; or a systemd credential path
};

struct KeyVersionConfig {
  uint32_t version = 1;
  // The same key on one or more tokens (replicas), RFC 7512 URIs naming the
  // private key, e.g. "pkcs11:token=signer-a;object=issuing-2026q4;type=private".
  std::vector<std::string> replica_uris;
  std::string chain_file;          // PEM: the key's certificate first; optional
  bool allow_extractable = false;  // refuse CKA_EXTRACTABLE keys unless set
};

struct KeyConfig {
  std::string name;
  KeyPurpose purpose = KeyPurpose::kArtifactSigning;
  uint32_t primary_version = 1;
  std::vector<KeyVersionConfig> versions;
};

struct PoolConfig {
  std::vector<std::string> module_paths;  // PKCS#11 modules to load
  std::vector<TokenLogin> logins;
  std::vector<KeyConfig> keys;
  uint32_t sessions_per_token = 4;
  std::chrono::milliseconds session_wait{2000};    // bounded wait for a session
  std::chrono::milliseconds probe_interval{5000};  // health probe of each token
  std::chrono::milliseconds reinit_backoff_max{30000};
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_POOL_CONFIG_H_
