#include "shell.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

namespace pki::testing {

CommandResult RunShell(const std::string& command) {
  CommandResult r;
  std::fflush(stdout);  // the child must not write our buffered output again
  std::fflush(stderr);
  // A group, so the command's own redirections (`2> file`) still win.
  FILE* p = ::popen(("{ " + command + "\n} 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

CommandResult RunSignerctl(const std::string& args) {
  const char* bin = std::getenv("PKI_BIN_DIR");
  if (bin == nullptr) return CommandResult{-1, "PKI_BIN_DIR not set"};
  return RunShell(std::string(bin) + "/signerctl " + args);
}

}  // namespace pki::testing
