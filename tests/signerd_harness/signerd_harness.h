// signerd_harness.h — a real signerd for a test, in one temporary folder:
// SoftHSMv2 tokens (SoftHsmEnv, initialized through PKCS#11: no PIN on any
// command line) holding the key "release", the mutual-TLS test PKI
// (TestPki), the signerd.yaml for a SignerdSetup, and the signerd process
// itself (SignerdProcess). signerd reads the token PIN from SoftHsmEnv's 0600
// file; the folder (0700) and everything in it go when the harness does.
//
// Layout of dir(): tokens/, softhsm2.conf, user.pin (0600), the TestPki files
// (ca.pem, crl.pem, server.pem, server.key, <client>.pem/.key), signerd.yaml,
// signerd.out, signerd.err, state/ (0700) with audit.log.
//
//   auto h = SignerdHarness::Create(SignerdSetup{});
//   ASSERT_TRUE(h.ok()) << h.status().message();
//   auto addr = (*h)->Start();
//   ASSERT_TRUE(addr.ok()) << addr.status().message() << (*h)->Diagnostics();
#ifndef PKI_TESTS_SIGNERD_HARNESS_SIGNERD_HARNESS_H_
#define PKI_TESTS_SIGNERD_HARNESS_SIGNERD_HARNESS_H_

#include <memory>
#include <string>

#include "audit_log_reader.h"
#include "base/status_or.h"
#include "shell.h"
#include "signerd_config.h"
#include "signerd_process.h"
#include "softhsm_env.h"
#include "test_pki.h"

namespace pki::testing {

class SignerdHarness final {
 public:
  // Create makes the folder, tokens, key, certificates and config for
  // |setup|; starts nothing. FAILED_PRECONDITION if PKI_BIN_DIR is unset or
  // has no signerd; INVALID_ARGUMENT for a setup that cannot be made (no
  // token, a generated key on several tokens); the token or key error as is.
  // Sets SOFTHSM2_CONF for this process and the programs it starts.
  static StatusOr<std::unique_ptr<SignerdHarness>> Create(const SignerdSetup& setup);
  // Kills a running signerd, then removes the folder.
  ~SignerdHarness() = default;
  SignerdHarness(const SignerdHarness&) = delete;
  SignerdHarness& operator=(const SignerdHarness&) = delete;

  // The running program: see SignerdProcess.
  StatusOr<std::string> Start() { return process_.Start(); }
  int Stop() { return process_.Stop(); }
  Status Kill9() { return process_.Kill9(); }
  Status Reload() { return process_.Reload(); }
  SignerdProcess& process() { return process_; }
  pid_t pid() const { return process_.pid(); }
  std::string Diagnostics() const { return process_.Diagnostics(); }

  // AuditVerify runs `signerctl audit verify` over audit_path() with |extra|.
  CommandResult AuditVerify(const std::string& extra = "") const {
    return SignerctlAuditVerify(audit_path(), extra);
  }

  const std::string& dir() const { return tokens_.dir(); }
  const std::string& bin() const { return bin_; }  // PKI_BIN_DIR
  const std::string& config_path() const { return config_path_; }
  std::string audit_path() const { return dir() + "/state/audit.log"; }
  std::string out_path() const { return dir() + "/signerd.out"; }  // every run's stdout
  std::string err_path() const { return dir() + "/signerd.err"; }  // every run's stderr
  TestPki& pki() { return *pki_; }
  // The tokens, to add keys to (the PIN file is tokens().pin_file()).
  SoftHsmEnv& tokens() { return tokens_; }

 private:
  SignerdHarness(std::string bin, const SignerdSetup& setup);

  std::string bin_;
  SoftHsmEnv tokens_;  // first in, last out: owns the folder
  std::string config_path_;
  std::unique_ptr<TestPki> pki_;
  SignerdProcess process_;
};

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNERD_HARNESS_SIGNERD_HARNESS_H_
