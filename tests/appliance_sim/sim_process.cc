#include "sim_process.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pki::testing {

SimProcess::SimProcess(std::vector<std::string> extra_args) {
  const char* bin = std::getenv("PKI_BIN_DIR");
  std::string sim = std::string(bin != nullptr ? bin : ".") + "/appliance-sim";
  char tmpl[] = "/tmp/a2-sim-XXXXXX";
  char* d = ::mkdtemp(tmpl);
  if (d == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return;
  }
  dir_ = d;
  socket_ = dir_ + "/link.sock";
  display_ = dir_ + "/display.txt";
  std::vector<std::string> args = {sim,          "--state-dir",        dir_ + "/state",
                                   "--socket",   socket_,              "--display-file",
                                   display_,     "--test-entropy-seed", "1234",
                                   "--test-share-iterations", "1000",  "--inter-byte-timeout-ms",
                                   "300"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  int out[2];
  if (::pipe(out) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::perror("execv appliance-sim");
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1) {
    if (c == '\n') {
      if (line.rfind("appliance-sim: ready on ", 0) == 0) {
        ready_ = line == "appliance-sim: ready on " + socket_;
        break;
      }
      line.clear();
    } else {
      line += c;
    }
  }
  ::close(out[0]);
  if (!ready_) ADD_FAILURE() << "appliance-sim did not report ready (" << sim << ")";
}

SimProcess::~SimProcess() {
  Stop();
  if (!dir_.empty()) {
    std::string out;
    RunCommand("rm -rf '" + dir_ + "'", &out);
  }
}

int SimProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::string SimProcess::ReadDisplay() const {
  std::ifstream in(display_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunCommand(const std::string& cmd, std::string* out) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  out->clear();
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace pki::testing
