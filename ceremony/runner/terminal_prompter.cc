#include "ceremony/runner/terminal_prompter.h"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include <vector>

namespace pki::ceremony {
namespace {

// EchoOff switches terminal echo off for its lifetime.
class EchoOff final {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (tcgetattr(fd_, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      quiet.c_lflag |= ECHONL;
      active_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~EchoOff() {
    if (active_) tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  bool active() const { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

// The signal (SIGINT, SIGTERM, SIGHUP) that interrupted the ceremony, or 0.
volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void OnInterrupt(int sig) { g_interrupted = sig; }

constexpr int kTrapped[] = {SIGINT, SIGTERM, SIGHUP};

Status Interrupted() {
  return Status(StatusCode::kCancelled, g_interrupted == SIGINT ? "interrupted (Ctrl-C): ceremony aborted"
                                                                 : "interrupted by a signal: ceremony aborted");
}

}  // namespace

StatusOr<std::unique_ptr<TerminalPrompter>> TerminalPrompter::Create(const std::string& tty_path) {
  FILE* tty = std::fopen(tty_path.c_str(), "r+");
  if (tty == nullptr) return UnavailableError("no terminal to run an interactive ceremony on: ").Append(tty_path);
  std::unique_ptr<TerminalPrompter> p(new TerminalPrompter(tty));
  // Ctrl-C (or a hangup) must not kill the program mid-prompt with the
  // terminal's echo off and a quorum session open: it makes the pending read
  // return (no SA_RESTART), the prompt answers CANCELLED, the echo is
  // restored by EchoOff and the runner aborts the session on the appliance.
  g_interrupted = 0;
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  for (size_t i = 0; i < std::size(kTrapped); ++i) sigaction(kTrapped[i], &sa, &p->saved_[i]);
  return p;
}

TerminalPrompter::~TerminalPrompter() {
  for (size_t i = 0; i < std::size(kTrapped); ++i) sigaction(kTrapped[i], &saved_[i], nullptr);
  std::fclose(tty_);
}

int TerminalPrompter::ReadChar() {
  if (g_interrupted != 0) return kInterrupted;
  const int c = std::fgetc(tty_);
  if (c == EOF && (g_interrupted != 0 || (std::ferror(tty_) && errno == EINTR))) {
    std::clearerr(tty_);
    return kInterrupted;
  }
  return c;
}

void TerminalPrompter::Say(const std::string& text) {
  std::fputs(text.c_str(), tty_);
  std::fputc('\n', tty_);
  std::fflush(tty_);
}

StatusOr<std::string> TerminalPrompter::ReadLine(const std::string& prompt) {
  std::fputs(prompt.c_str(), tty_);
  std::fflush(tty_);
  std::string line;
  int c;
  while ((c = ReadChar()) != EOF && c != kInterrupted && c != '\n') line.push_back(static_cast<char>(c));
  if (c == kInterrupted) {
    std::fputc('\n', tty_);
    return Interrupted();
  }
  if (c == EOF && line.empty()) return Status(StatusCode::kCancelled, "input closed: ceremony aborted");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line == "abort") return Status(StatusCode::kCancelled, "aborted at the terminal");
  return line;
}

StatusOr<SecretBuffer> TerminalPrompter::ReadHidden(const std::string& prompt) {
  EchoOff quiet(fileno(tty_));
  if (!quiet.active()) return UnavailableError("cannot switch terminal echo off; refusing to read a passphrase");
  std::fputs(prompt.c_str(), tty_);
  std::fflush(tty_);
  std::vector<uint8_t> bytes;
  int c;
  while ((c = ReadChar()) != EOF && c != kInterrupted && c != '\n') bytes.push_back(static_cast<uint8_t>(c));
  if (c == kInterrupted) {
    SecureZero(bytes.data(), bytes.size());
    std::fputc('\n', tty_);
    return Interrupted();  // |quiet| restores the echo on the way out
  }
  if (!bytes.empty() && bytes.back() == '\r') bytes.pop_back();
  SecretBuffer secret{ByteSpan(bytes)};
  SecureZero(bytes.data(), bytes.size());
  if (c == EOF && secret.empty()) return Status(StatusCode::kCancelled, "input closed: ceremony aborted");
  return secret;
}

StatusOr<std::vector<std::string>> TerminalPrompter::Attendance(const std::vector<std::string>& expected) {
  std::vector<std::string> present;
  for (const auto& name : expected) {
    PKI_ASSIGN_OR_RETURN(std::string answer, ReadLine("Is " + name + " present? [yes/no] "));
    if (answer == "yes" || answer == "y") present.push_back(name);
  }
  return present;
}

StatusOr<bool> TerminalPrompter::Confirm(const std::string& step_id, const std::string& person,
                                         const std::string& question, const std::string& phrase) {
  Say("[" + step_id + "] " + question);
  for (int attempt = 0; attempt < 3; ++attempt) {
    PKI_ASSIGN_OR_RETURN(std::string typed,
                         ReadLine(person + ", type '" + phrase + "' to confirm (or 'no', or 'abort'): "));
    if (typed == phrase) return true;
    if (typed == "no") return false;
    Say("That is not the phrase.");
  }
  return false;
}

StatusOr<SecretBuffer> TerminalPrompter::Passphrase(const std::string& custodian, bool new_one) {
  PKI_ASSIGN_OR_RETURN(SecretBuffer first,
                       ReadHidden(custodian + (new_one ? ", type your NEW passphrase: " : ", type your passphrase: ")));
  if (!new_one) return first;
  PKI_ASSIGN_OR_RETURN(SecretBuffer second, ReadHidden(custodian + ", type it again: "));
  if (!first.Equals(second)) return InvalidArgumentError("the two passphrases differ");
  if (first.size() < 12) return InvalidArgumentError("a new passphrase needs at least 12 characters");
  return first;
}

StatusOr<SecretBuffer> TerminalPrompter::ConfirmPassphrase(const std::string& custodian) {
  Say(custodian + ": re-enter your new share (the file you were given) by typing its passphrase.");
  return ReadHidden(custodian + ", type your NEW passphrase once more: ");
}

std::optional<std::string> TerminalPrompter::Deviation(const std::string& step_id) {
  auto line = ReadLine("[" + step_id + "] Witness: any deviation to record? (empty: none) ");
  if (!line.ok() || line->empty()) return std::nullopt;
  return *line;
}

}  // namespace pki::ceremony
