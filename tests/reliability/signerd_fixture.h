// signerd_fixture.h — a real signerd for the reliability tests: a SoftHSMv2
// token in a temp folder with an ECDSA P-256 key made by pkcs11-tool, real
// mutual-TLS certificates (TestPki), a generated config, and the process
// started, killed (-9) and restarted by the test.
//
// The throwaway token's PINs go through softhsm2-util/pkcs11-tool argv (those
// tools take no other way in scripts); signerd reads its PIN from a 0600 file.
#ifndef PKI_TESTS_RELIABILITY_SIGNERD_FIXTURE_H_
#define PKI_TESTS_RELIABILITY_SIGNERD_FIXTURE_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "test_pki.h"

namespace pki::testing {

// The user PIN of the test token: tests assert it appears nowhere it must not.
inline constexpr const char* kTestTokenPin = "73915-user-pin";

class SignerdFixture {
 public:
  // Makes the temp folder, token, key, certificates and config. ok() is
  // false (and error() says why) if any step failed or signerd isn't built.
  SignerdFixture();
  ~SignerdFixture();
  SignerdFixture(const SignerdFixture&) = delete;
  SignerdFixture& operator=(const SignerdFixture&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // Start runs signerd and waits (up to 30 s) for "listening on"; returns the
  // address, or "" (error() says why). Its stdout/stderr are appended to
  // signerd.out/signerd.err in dir(). If PKI_TEST_RUN_AS_UID is set (the
  // test runs as root), signerd runs as that uid and gid.
  std::string Start();
  // Kill9 kills signerd with SIGKILL and reaps it.
  void Kill9();
  // Stop sends SIGTERM and returns the exit code (-1 if not exited normally).
  int Stop();
  pid_t pid() const { return pid_; }

  // Runs `signerctl audit verify --log audit.log EXTRA`; *out gets its
  // stdout+stderr. Returns the exit code.
  int AuditVerify(const std::string& extra, std::string* out) const;

  const std::string& dir() const { return dir_; }
  std::string audit_path() const { return dir_ + "/state/audit.log"; }
  const std::string& bin() const { return bin_; }
  TestPki& pki() { return *pki_; }

 private:
  std::string bin_, dir_, config_, error_;
  std::unique_ptr<TestPki> pki_;
  pid_t pid_ = -1;
  size_t out_seen_ = 0;
};

// Shell runs |cmd| with sh and returns its exit code; *out (if given) gets
// its stdout+stderr.
int Shell(const std::string& cmd, std::string* out = nullptr);

}  // namespace pki::testing

#endif  // PKI_TESTS_RELIABILITY_SIGNERD_FIXTURE_H_
