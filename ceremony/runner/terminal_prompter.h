// terminal_prompter.h — the interactive Prompter: reads from and writes to
// /dev/tty (never stdin/stdout, so a redirected run cannot answer for the
// room), passphrases with echo switched off through termios and restored on
// every path.
#ifndef PKI_CEREMONY_RUNNER_TERMINAL_PROMPTER_H_
#define PKI_CEREMONY_RUNNER_TERMINAL_PROMPTER_H_

#include <signal.h>

#include <cstdio>
#include <memory>

#include "ceremony/runner/prompter.h"

namespace pki::ceremony {

class TerminalPrompter final : public Prompter {
 public:
  // Create opens |tty_path| (normally "/dev/tty") for reading and writing;
  // UNAVAILABLE if there is no terminal. Returns a new prompter the caller owns.
  static StatusOr<std::unique_ptr<TerminalPrompter>> Create(const std::string& tty_path);
  ~TerminalPrompter() override;

  void Say(const std::string& text) override;
  StatusOr<std::vector<std::string>> Attendance(const std::vector<std::string>& expected) override;
  StatusOr<bool> Confirm(const std::string& step_id, const std::string& person,
                         const std::string& question, const std::string& phrase) override;
  StatusOr<SecretBuffer> Passphrase(const std::string& custodian, bool new_one) override;
  StatusOr<SecretBuffer> ConfirmPassphrase(const std::string& custodian) override;
  std::optional<std::string> Deviation(const std::string& step_id) override;

 private:
  explicit TerminalPrompter(FILE* tty) : tty_(tty) {}
  static constexpr int kInterrupted = -2;
  // ReadChar reads one character; kInterrupted once a trapped signal
  // (SIGINT, SIGTERM, SIGHUP) arrived, EOF at end of input.
  int ReadChar();
  // ReadLine reads one line; CANCELLED on end of input or "abort".
  StatusOr<std::string> ReadLine(const std::string& prompt);
  StatusOr<SecretBuffer> ReadHidden(const std::string& prompt);
  FILE* tty_;
  struct sigaction saved_[3] = {};  // the dispositions Create replaced
};

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_RUNNER_TERMINAL_PROMPTER_H_
