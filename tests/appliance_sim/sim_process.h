// sim_process.h — runs appliance-sim as a child process for a test: a fresh
// state directory, a unix socket, test entropy and a fast share KDF; waits
// for its "ready on" line; stops it (SIGTERM) on destruction.
#ifndef PKI_TESTS_APPLIANCE_SIM_SIM_PROCESS_H_
#define PKI_TESTS_APPLIANCE_SIM_SIM_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace pki::testing {

class SimProcess {
 public:
  // Starts the sim with |extra_args|; check ok() after.
  explicit SimProcess(std::vector<std::string> extra_args = {});
  ~SimProcess();
  bool ok() const { return ready_; }
  const std::string& dir() const { return dir_; }
  const std::string& socket_path() const { return socket_; }
  const std::string& display_file() const { return display_; }
  // ReadDisplay returns everything the sim's display showed so far.
  std::string ReadDisplay() const;
  // Stop sends SIGTERM and waits; returns the exit status.
  int Stop();

 private:
  pid_t pid_ = -1;
  bool ready_ = false;
  std::string dir_, socket_, display_;
};

// RunCommand runs a shell command and returns its exit status; |out| gets
// stdout+stderr.
int RunCommand(const std::string& cmd, std::string* out);

}  // namespace pki::testing

#endif  // PKI_TESTS_APPLIANCE_SIM_SIM_PROCESS_H_
