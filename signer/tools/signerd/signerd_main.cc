// signerd --config FILE
//
// Loads and validates the config, opens the audit log, builds the PKCS#11
// pool, starts the mutual-TLS gRPC server and prints
// "signerd: listening on HOST:PORT" once it serves. Signals: SIGHUP reloads
// the policy and the client CRLs from the same file (a config that fails
// validation is refused and the old one kept; connections stay up);
// SIGTERM/SIGINT stop accepting, let in-flight requests finish (10 s grace)
// and exit 0. Exit codes: 0 clean stop, 2 usage, 3 bad config, 4 start failure.
//
// Before anything secret is read (token PINs), the process makes itself
// non-dumpable and sets its core size limit to 0: a crash leaves no core
// file with PINs or session state in it, and other processes of the same
// user can't ptrace it or read its memory or environment through /proc.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "audit/audit_log.h"
#include "config/config.h"
#include "policy/policy.h"
#include "server/issuance_journal.h"
#include "server/issuance_setup.h"
#include "server/server.h"
#include "signer/pkcs11_pool.h"

namespace {

using namespace pki;
using namespace pki::signer;

// NoCoreDumps sets RLIMIT_CORE to 0 (soft and hard) and clears the dumpable
// flag. Returns false (errno set) if either fails.
bool NoCoreDumps() {
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0) return false;
  return ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
}

// The firewall from our Status to the process's exit codes.
int ExitCode(const Status& s, int failure) { return s.ok() ? 0 : failure; }

int Fail(const char* what, const Status& s, int code) {
  std::fprintf(stderr, "signerd: %s: %s: %.*s\n", what, StatusCodeName(s.code()),
               static_cast<int>(s.message().size()), s.message().data());
  return ExitCode(s, code);
}

StatusOr<std::shared_ptr<const Policy>> MakePolicy(const Config& cfg) {
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<Policy> p, Policy::Create(cfg.policy, cfg.pool.keys, cfg.issuance.profiles));
  return std::shared_ptr<const Policy>(std::move(p));
}

}  // namespace

int main(int argc, char** argv) {
  // Logs go out line by line even when redirected to files (tests, systemd).
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::setvbuf(stderr, nullptr, _IONBF, 0);
  if (!NoCoreDumps()) {
    std::perror("signerd: cannot disable core dumps");
    return 4;
  }
  CLI::App app{"signerd: the online signer (gRPC over mutual TLS, keys in PKCS#11 HSMs)"};
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  // Block the signals we handle before any thread starts, so they all reach
  // the sigwait loop below and no worker is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> problems;
  auto cfg = ValidateConfigFile(config_path, &problems);
  if (!cfg.ok()) {
    for (const std::string& p : problems) std::fprintf(stderr, "signerd: config: %s\n", p.c_str());
    return 3;
  }
  auto policy = MakePolicy(*cfg);
  if (!policy.ok()) return Fail("policy", policy.status(), 3);

  auto audit = AuditLog::Open({cfg->audit.path, cfg->audit.rotate_bytes, nullptr});
  if (!audit.ok()) return Fail("audit log", audit.status(), 4);
  if ((*audit)->RecoveredTornBytes() > 0) {
    std::fprintf(stderr, "signerd: audit log: cut a torn last record (%llu bytes, never acknowledged)\n",
                 static_cast<unsigned long long>((*audit)->RecoveredTornBytes()));
  }
  auto pool = CreatePkcs11Pool(cfg->pool);
  if (!pool.ok()) return Fail("HSM pool", pool.status(), 4);

  AuditIssuanceJournal journal(**audit);
  auto issuance = BuildIssuance(cfg->issuance, **pool, journal, cfg->server.sign_deadline);
  if (!issuance.ok()) return Fail("issuance", issuance.status(), 3);

  auto server = SignerServer::Start(cfg->server, **pool, **audit, *policy, *issuance);
  if (!server.ok()) return Fail("server", server.status(), 4);
  std::printf("signerd: listening on %s\n", (*server)->address().c_str());
  if ((*server)->metrics_port() != 0) {
    const std::string& m = cfg->server.metrics_listen;
    std::printf("signerd: metrics on %s:%d\n", m.substr(0, m.rfind(':')).c_str(), (*server)->metrics_port());
  }
  std::fflush(stdout);

  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      problems.clear();
      auto fresh = ValidateConfigFile(config_path, &problems);
      if (!fresh.ok()) {
        for (const std::string& p : problems) std::fprintf(stderr, "signerd: reload refused: %s\n", p.c_str());
        continue;
      }
      auto p = MakePolicy(*fresh);
      if (!p.ok()) {
        Fail("reload refused", p.status(), 3);
        continue;
      }
      auto fresh_issuance = BuildIssuance(fresh->issuance, **pool, journal, fresh->server.sign_deadline);
      if (!fresh_issuance.ok()) {
        Fail("reload refused (issuance)", fresh_issuance.status(), 3);
        continue;
      }
      Status crls = (*server)->ReloadCrls(fresh->server);
      if (!crls.ok()) {
        Fail("reload refused (CRLs)", crls, 3);
        continue;
      }
      (*server)->ReloadPolicy(*p);
      (*server)->ReloadIssuance(*fresh_issuance);
      std::printf("signerd: reloaded policy (%zu clients), %zu profiles and CRLs\n",
                  fresh->policy.clients.size(), fresh->issuance.profiles.size());
      std::fflush(stdout);
      continue;
    }
    std::printf("signerd: stopping (signal %d), finishing in-flight requests\n", sig);
    std::fflush(stdout);
    (*server)->Shutdown(std::chrono::seconds(10));
    break;
  }
  std::printf("signerd: stopped; audit head seq %llu sha256 %s\n",
              static_cast<unsigned long long>((*audit)->LastSeq()), (*audit)->HeadHash().c_str());
  return 0;
}
