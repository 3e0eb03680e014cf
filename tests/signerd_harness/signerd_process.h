// signerd_process.h — one signerd program run by a test: started from a
// config, waited for until it serves, stopped (SIGTERM), killed (SIGKILL),
// reloaded (SIGHUP) and restarted; its stdout and stderr go to files.
//
// Each start appends to the same two files; what one run printed is read
// from where the files ended when it started, so a restart never sees an
// earlier run's "listening on" line.
#ifndef PKI_TESTS_SIGNERD_HARNESS_SIGNERD_PROCESS_H_
#define PKI_TESTS_SIGNERD_HARNESS_SIGNERD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include "base/status_or.h"

namespace pki::testing {

enum class SignerdStream { kStdout, kStderr };

class SignerdProcess final {
 public:
  // |exe| is the signerd program, |config| its --config; output is appended
  // to |out_path| and |err_path|. With |expect_metrics| a start also waits
  // for the "signerd: metrics on" line. Starts nothing.
  SignerdProcess(std::string exe, std::string config, std::string out_path, std::string err_path,
                 bool expect_metrics);
  // Kills a running signerd (SIGKILL) and reaps it.
  ~SignerdProcess();
  SignerdProcess(const SignerdProcess&) = delete;
  SignerdProcess& operator=(const SignerdProcess&) = delete;

  // RunAs makes later starts drop to |uid| (as uid and gid, no supplementary
  // groups) before exec; the test must be root.
  void RunAs(uid_t uid) { run_as_ = uid; }

  // Start runs signerd and waits (up to 30 s) for "signerd: listening on"
  // (and the metrics line if expected). Returns the gRPC address
  // ("127.0.0.1:PORT"). FAILED_PRECONDITION if one is already running;
  // UNAVAILABLE if it exited first (stderr says why: Diagnostics()) or did
  // not get there in time (it is killed then).
  StatusOr<std::string> Start();
  // Stop sends SIGTERM and waits; returns the exit code, -1 if none was
  // running or it did not exit normally.
  int Stop();
  // Kill9 kills signerd with SIGKILL and reaps it. FAILED_PRECONDITION if
  // none was running.
  Status Kill9();
  // Reload sends SIGHUP. FAILED_PRECONDITION if none is running.
  Status Reload();

  // WaitForOutput polls this run's |stream| until it holds |text|; false if
  // it did not within |timeout|.
  bool WaitForOutput(SignerdStream stream, const std::string& text,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // RunOutput returns what the current (or last) run wrote to |stream|.
  std::string RunOutput(SignerdStream stream) const;
  // Diagnostics returns this run's stderr and stdout, labelled, for a failed
  // assertion's message.
  std::string Diagnostics() const;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  // The metrics address ("127.0.0.1:PORT") of the current run; "" without.
  const std::string& metrics_address() const { return metrics_address_; }

 private:
  // Fills address_/metrics_address_ from this run's stdout; true when all
  // the lines waited for are there.
  bool ReadAddresses();

  std::string exe_, config_, out_path_, err_path_;
  bool expect_metrics_;
  std::optional<uid_t> run_as_;
  pid_t pid_ = -1;
  size_t out_start_ = 0, err_start_ = 0;
  std::string address_, metrics_address_;
};

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNERD_HARNESS_SIGNERD_PROCESS_H_
