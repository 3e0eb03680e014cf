// The interactive flow in a real terminal: `ceremony run` (no --answers)
// runs on a pseudo-terminal as its controlling tty, against appliance-sim;
// this test plays the room: answers attendance, types passphrases (which must
// not echo), reads each confirmation phrase off the prompt and types it.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>

#include "common/file.h"

namespace pki::ceremony {
namespace {

// PKI_SOURCE_DIR from CTest, else the source folder compiled in.
const char* CeremonySourceDir() {
  const char* s = std::getenv("PKI_SOURCE_DIR");
  return s != nullptr ? s : PKI_CEREMONY_SOURCE_DIR;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class InteractivePtyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("PKI_BIN_DIR");
    ASSERT_NE(bin, nullptr);
    bin_ = bin;
    if (access((bin_ + "/appliance-sim").c_str(), X_OK) != 0) GTEST_SKIP() << "appliance-sim not built";
    char tmpl[] = "/tmp/ceremony_pty_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(mkdir((dir_ + "/media").c_str(), 0755), 0);
    sim_ = fork();
    ASSERT_GE(sim_, 0);
    if (sim_ == 0) {
      const std::string sim = bin_ + "/appliance-sim";
      const std::string state = dir_ + "/state", sock = dir_ + "/sock", display = dir_ + "/display.txt";
      execl(sim.c_str(), sim.c_str(), "--state-dir", state.c_str(), "--socket", sock.c_str(), "--display-file",
            display.c_str(), "--test-share-iterations", "1000", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 100 && access((dir_ + "/sock").c_str(), F_OK) != 0; ++i) usleep(50000);
    ASSERT_EQ(access((dir_ + "/sock").c_str(), F_OK), 0);
  }
  void TearDown() override {
    if (sim_ > 0) {
      kill(sim_, SIGTERM);
      waitpid(sim_, nullptr, 0);
    }
    if (!dir_.empty()) {
      EXPECT_EQ(std::system(("rm -rf '" + dir_ + "'").c_str()), 0);
    }
  }

  // Drive runs the ceremony on a pty, answering prompts; returns the exit
  // code and fills |transcript| with everything the terminal showed.
  // |interrupt_at_share| types Ctrl-C at the first share passphrase prompt;
  // |echo_after| (if given) is set to whether the terminal echoes again once
  // the program has exited.
  int Drive(const std::string& script, std::string* transcript, bool decline_execute = false,
            bool interrupt_at_share = false, bool* echo_after = nullptr) {
    int master = -1;
    const pid_t child = forkpty(&master, nullptr, nullptr, nullptr);
    if (child == 0) {
      const std::string ceremony = bin_ + "/ceremony";
      const std::string path = std::string(CeremonySourceDir()) + "/ceremony/scripts/" + script + ".textproto";
      const std::string media = dir_ + "/media", sock = dir_ + "/sock";
      execl(ceremony.c_str(), ceremony.c_str(), "run", path.c_str(), "--media", media.c_str(), "--socket",
            sock.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::string pending;
    auto send = [&](const std::string& line) {
      const std::string data = line + "\n";
      EXPECT_EQ(write(master, data.data(), data.size()), static_cast<ssize_t>(data.size()));
      pending.clear();
    };
    for (int idle = 0; idle < 600;) {
      pollfd pfd{master, POLLIN, 0};
      if (poll(&pfd, 1, 100) <= 0) {
        ++idle;
        continue;
      }
      char buf[4096];
      const ssize_t n = read(master, buf, sizeof(buf));
      if (n <= 0) break;  // EIO: the child closed the terminal
      transcript->append(buf, static_cast<size_t>(n));
      pending.append(buf, static_cast<size_t>(n));
      if (EndsWith(pending, "present? [yes/no] ")) {
        send("yes");
      } else if (EndsWith(pending, "' to confirm (or 'no', or 'abort'): ")) {
        const size_t end = pending.rfind("' to confirm");
        const size_t begin = pending.rfind("type '", end) + 6;
        const std::string phrase = pending.substr(begin, end - begin);
        send(decline_execute && phrase.rfind("EXECUTE", 0) == 0 ? "no" : phrase);
      } else if (interrupt_at_share && EndsWith(pending, "type your passphrase: ")) {
        EXPECT_EQ(write(master, "\x03", 1), 1);  // Ctrl-C: the line discipline sends SIGINT
        pending.clear();
      } else if (EndsWith(pending, "type your NEW passphrase: ") || EndsWith(pending, "type it again: ") ||
                 EndsWith(pending, "type your NEW passphrase once more: ") ||
                 EndsWith(pending, "type your passphrase: ")) {
        const size_t comma = pending.rfind(", type");
        const size_t line = pending.rfind('\n', comma);
        const std::string who = pending.substr(line == std::string::npos ? 0 : line + 1,
                                               comma - (line == std::string::npos ? 0 : line + 1));
        send(Passphrase(who));
      } else if (EndsWith(pending, "(empty: none) ")) {
        send(pending.find("[root-fingerprint]") != std::string::npos ? "photos of the seals taken" : "");
      }
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (echo_after != nullptr) {
      // The terminal's settings as the program left them (the slave side;
      // the master is still open, so it can be reopened by name).
      const int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
      termios t{};
      *echo_after = slave >= 0 && tcgetattr(slave, &t) == 0 && (t.c_lflag & ECHO) != 0;
      if (slave >= 0) close(slave);
    }
    close(master);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static std::string Passphrase(const std::string& who) {
    std::string trimmed = who;
    while (!trimmed.empty() && (trimmed[0] == '\r' || trimmed[0] == ' ')) trimmed.erase(0, 1);
    return "secret of " + trimmed + " 42";
  }

  std::string bin_, dir_;
  pid_t sim_ = -1;
};

TEST_F(InteractivePtyTest, RootInitTypedAtTheTerminal) {
  std::string screen;
  const int rc = Drive("root-init", &screen);
  EXPECT_EQ(rc, 0) << screen;  // completed, transcript signed by the appliance
  EXPECT_NE(screen.find("Carla Custodian, type your NEW passphrase: "), std::string::npos) << screen;
  EXPECT_NE(screen.find("Avery Admin, type 'CREATE ROOT root-2026'"), std::string::npos) << screen;
  // Passphrases are read with echo off: never on the screen.
  EXPECT_EQ(screen.find("secret of"), std::string::npos) << screen;
  EXPECT_EQ(access((dir_ + "/media/out/root.crt").c_str(), F_OK), 0);
  EXPECT_EQ(system(("openssl verify -x509_strict -CAfile '" + dir_ + "/media/out/root.crt' '" + dir_ +
                    "/media/out/root.crt' >/dev/null 2>&1").c_str()),
            0);
}

// Declining the EXECUTE confirmation at the terminal aborts cleanly: the
// open request is aborted on the appliance, nothing is written, and the same
// script then runs to the end.
TEST_F(InteractivePtyTest, DeclinedExecuteAbortsAndRerunCompletes) {
  std::string screen;
  ASSERT_EQ(Drive("root-init", &screen), 0) << screen;
  ASSERT_EQ(mkdir((dir_ + "/media/in").c_str(), 0755), 0);
  ASSERT_EQ(std::system(("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" + dir_ +
                         "/k.pem' -subj '/O=Example/CN=Example Issuing TLS' -out '" + dir_ +
                         "/media/in/issuing.csr' >/dev/null 2>&1").c_str()),
            0);
  screen.clear();
  EXPECT_EQ(Drive("sign-intermediate", &screen, /*decline_execute=*/true), 1) << screen;
  EXPECT_NE(screen.find("ABORTED at step sign-execute"), std::string::npos) << screen;
  EXPECT_NE(screen.find("open operation aborted on the appliance"), std::string::npos) << screen;
  EXPECT_NE(access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0);
  EXPECT_EQ(screen.find("secret of"), std::string::npos);
  screen.clear();
  EXPECT_EQ(Drive("sign-intermediate", &screen), 0) << screen;
  EXPECT_EQ(access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0);
}

// Ctrl-C while a custodian types their passphrase (echo off, quorum session
// open on the appliance): the program stops cleanly, the terminal echoes
// again, the quorum session is aborted on the appliance (so the next run can
// open one), and an ABORTED transcript is written.
TEST_F(InteractivePtyTest, CtrlCAtAPassphrasePromptRestoresTheTerminalAndAbortsTheSession) {
  std::string screen;
  ASSERT_EQ(Drive("root-init", &screen), 0) << screen;
  ASSERT_EQ(mkdir((dir_ + "/media/in").c_str(), 0755), 0);
  ASSERT_EQ(std::system(("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" + dir_ +
                         "/k.pem' -subj '/O=Example/CN=Example Issuing TLS' -out '" + dir_ +
                         "/media/in/issuing.csr' >/dev/null 2>&1").c_str()),
            0);
  screen.clear();
  bool echo = false;
  EXPECT_EQ(Drive("sign-intermediate", &screen, false, /*interrupt_at_share=*/true, &echo), 1) << screen;
  EXPECT_TRUE(echo) << "terminal echo left off";
  EXPECT_NE(screen.find("interrupted (Ctrl-C)"), std::string::npos) << screen;
  EXPECT_NE(screen.find("open operation aborted on the appliance"), std::string::npos) << screen;
  EXPECT_NE(access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0);
  EXPECT_EQ(access((dir_ + "/media/out/transcripts/sign-intermediate.md").c_str(), F_OK) == 0 ||
                screen.find("Transcript out/transcripts/") != std::string::npos,
            true)
      << screen;
  // Nothing left open: the same ceremony runs to the end.
  screen.clear();
  EXPECT_EQ(Drive("sign-intermediate", &screen), 0) << screen;
  EXPECT_EQ(access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace pki::ceremony
