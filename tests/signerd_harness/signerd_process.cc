#include "signerd_process.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace pki::testing {
namespace {

using namespace std::chrono_literals;

size_t SizeOf(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<size_t>(n);
}

// ReadFrom reads |path| from byte |offset| on ("" if it is not there).
std::string ReadFrom(const std::string& path, size_t offset) {
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  return offset < all.size() ? all.substr(offset) : std::string();
}

// LineAfter returns the rest of the first complete line of |text| that
// starts with |prefix|, or nullopt.
std::optional<std::string> LineAfter(const std::string& text, const std::string& prefix) {
  const size_t at = text.find(prefix);
  if (at == std::string::npos) return std::nullopt;
  const size_t nl = text.find('\n', at);
  if (nl == std::string::npos) return std::nullopt;
  return text.substr(at + prefix.size(), nl - at - prefix.size());
}

}  // namespace

SignerdProcess::SignerdProcess(std::string exe, std::string config, std::string out_path, std::string err_path,
                               bool expect_metrics)
    : exe_(std::move(exe)),
      config_(std::move(config)),
      out_path_(std::move(out_path)),
      err_path_(std::move(err_path)),
      expect_metrics_(expect_metrics) {}

SignerdProcess::~SignerdProcess() {
  if (running()) Kill9().Ignore();
}

bool SignerdProcess::ReadAddresses() {
  const std::string out = RunOutput(SignerdStream::kStdout);
  const auto grpc = LineAfter(out, "signerd: listening on ");
  if (!grpc) return false;
  address_ = *grpc;
  if (!expect_metrics_) return true;
  const auto metrics = LineAfter(out, "signerd: metrics on ");
  if (!metrics) return false;
  metrics_address_ = *metrics;
  return true;
}

StatusOr<std::string> SignerdProcess::Start() {
  if (running()) return FailedPreconditionError("signerd is already running");
  out_start_ = SizeOf(out_path_);
  err_start_ = SizeOf(err_path_);
  address_.clear();
  metrics_address_.clear();
  const int out_fd = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int err_fd = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out_fd < 0 || err_fd < 0) {
    if (out_fd >= 0) ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);
    return InternalError("cannot open signerd's output files");
  }
  const uid_t uid = run_as_.value_or(0);
  const bool drop = run_as_.has_value();
  std::fflush(stdout);  // the child must not write our buffered output again
  std::fflush(stderr);
  pid_ = ::fork();
  if (pid_ == 0) {
    // Only async-signal-safe calls between fork and exec.
    if (::dup2(out_fd, STDOUT_FILENO) < 0 || ::dup2(err_fd, STDERR_FILENO) < 0) ::_exit(126);
    if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 || ::setuid(uid) != 0)) ::_exit(126);
    ::execl(exe_.c_str(), exe_.c_str(), "--config", config_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  if (pid_ < 0) return InternalError("fork failed");
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < until) {
    if (ReadAddresses()) return address_;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return UnavailableError("signerd exited before it served (exit status ")
          .AppendNumber(static_cast<uint64_t>(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)))
          .Append(")");
    }
    std::this_thread::sleep_for(20ms);
  }
  Kill9().Ignore();
  return UnavailableError("signerd did not serve within 30 s (killed)");
}

int SignerdProcess::Stop() {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Status SignerdProcess::Kill9() {
  if (!running()) return FailedPreconditionError("signerd is not running");
  const int rc = ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return rc == 0 ? OkStatus() : InternalError("kill(SIGKILL) failed");
}

Status SignerdProcess::Reload() {
  if (!running()) return FailedPreconditionError("signerd is not running");
  return ::kill(pid_, SIGHUP) == 0 ? OkStatus() : InternalError("kill(SIGHUP) failed");
}

std::string SignerdProcess::RunOutput(SignerdStream stream) const {
  return stream == SignerdStream::kStdout ? ReadFrom(out_path_, out_start_) : ReadFrom(err_path_, err_start_);
}

bool SignerdProcess::WaitForOutput(SignerdStream stream, const std::string& text,
                                   std::chrono::milliseconds timeout) const {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (RunOutput(stream).find(text) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
  }
}

std::string SignerdProcess::Diagnostics() const {
  return "\n--- signerd stderr ---\n" + RunOutput(SignerdStream::kStderr) + "--- signerd stdout ---\n" +
         RunOutput(SignerdStream::kStdout);
}

}  // namespace pki::testing
