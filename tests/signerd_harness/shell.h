// shell.h — run a command line as the operator would, output captured.
//
// For test commands only: nothing secret goes on a command line (PINs are
// read from 0600 files by the programs themselves).
#ifndef PKI_TESTS_SIGNERD_HARNESS_SHELL_H_
#define PKI_TESTS_SIGNERD_HARNESS_SHELL_H_

#include <string>

namespace pki::testing {

struct CommandResult {
  int exit_code = -1;  // -1 if it could not run or did not exit normally
  std::string output;  // stdout and stderr, interleaved
};

// RunShell runs |command| with /bin/sh and returns its exit code and what it
// wrote to stdout and stderr (that it did not redirect itself).
CommandResult RunShell(const std::string& command);

// RunSignerctl runs `$PKI_BIN_DIR/signerctl |args|` through RunShell; exit
// code -1 (and a message as output) if PKI_BIN_DIR is not set.
CommandResult RunSignerctl(const std::string& args);

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNERD_HARNESS_SHELL_H_
