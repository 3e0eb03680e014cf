// signerd_config.h — what a test's signerd looks like (SignerdSetup) and the
// signerd.yaml that describes it.
//
// The config names the files the harness lays out next to it: TestPki's
// server.pem, server.key, ca.pem and crl.pem, and the audit log at
// state/audit.log. Listeners are on loopback port 0.
#ifndef PKI_TESTS_SIGNERD_HARNESS_SIGNERD_CONFIG_H_
#define PKI_TESTS_SIGNERD_HARNESS_SIGNERD_CONFIG_H_

#include <string>
#include <vector>

#include "softhsm_env.h"

namespace pki::testing {

// Where the artifact-signing key "release" comes from.
enum class ReleaseKey {
  // Generated inside the one token (signerctl's keygen, PIN from the 0600
  // file); the setup must name exactly one token.
  kGenerated,
  // One software P-256 key imported into every token: replicas, the way an
  // HSM's key backup/clone puts one key on several devices.
  kReplicated,
};

struct SignerdSetup {
  // The PKCS#11 module signerd loads (faulty_pkcs11 to inject faults in front
  // of SoftHSMv2).
  std::string module = kSoftHsmModule;
  // Token labels: each is a fresh SoftHSMv2 token with the user PIN of
  // SoftHsmEnv's 0600 PIN file, and holds the key "release".
  std::vector<std::string> tokens = {"signer-a"};
  ReleaseKey release_key = ReleaseKey::kGenerated;
  int sessions_per_token = 2;
  // Adds `metrics_listen` on loopback port 0 (metrics and status page).
  bool metrics = false;
  // More `name: value` lines under `server:` and `hsm:`.
  std::vector<std::string> server_extra;
  std::vector<std::string> hsm_extra;
  // The rights of the client "ci" (URI SAN spiffe://example.org/ci) on
  // "release".
  std::string ci_rights = "sign, get-public-key";
};

// SignerdConfigYaml returns the signerd.yaml text for |setup|, every token
// logging in with the PIN in |pin_file|. Sections, in order: server, hsm,
// keys, policy (client "ci"), audit.
std::string SignerdConfigYaml(const SignerdSetup& setup, const std::string& pin_file);

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNERD_HARNESS_SIGNERD_CONFIG_H_
