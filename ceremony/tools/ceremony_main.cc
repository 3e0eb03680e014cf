// ceremony — the ceremony laptop's program.
//
//   ceremony validate SCRIPT                 parse + validate; every problem with its line
//   ceremony plan SCRIPT                     the dry run: what each step will do
//   ceremony run SCRIPT --media DIR (--socket PATH | --serial DEV | --tcp HOST:PORT)
//                [--answers FILE] [--previous-transcript FILE] [--root-cert FILE]
//                [--allow-production]        run it (interactive on /dev/tty unless --answers)
//   ceremony verify-transcript FILE --audit-key PEM [--previous FILE] [--media DIR]
//                [--journal-head HEX] [--journal EXPORT]
//   ceremony render FILE                     the printable Markdown
//   ceremony audit-key (--socket PATH | --serial DEV | --tcp HOST:PORT) --out PEM
//                                            the appliance's audit public key + fingerprint
//
// Exit codes (the one firewall from Status to exit code): 0 success, 1 the
// ceremony aborted or failed, 2 bad input (script, answers, options),
// 3 verification failed, 4 appliance unavailable, 5 other errors, 6 the
// ceremony completed but the appliance could not sign the transcript.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "ceremony/fingerprint/fingerprint.h"
#include "ceremony/runner/answers_check.h"
#include "ceremony/runner/answers_prompter.h"
#include "ceremony/runner/runner.h"
#include "ceremony/runner/terminal_prompter.h"
#include "ceremony/schema/plan.h"
#include "ceremony/schema/script.h"
#include "ceremony/session/link_session.h"
#include "ceremony/transcript/journal_check.h"
#include "ceremony/transcript/transcript.h"
#include "ceremony/tools/audit_key_command.h"
#include "common/file.h"
#include "common/pem.h"

namespace pki::ceremony {
namespace {

int ExitCode(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
      return 2;
    case StatusCode::kUnauthenticated:
    case StatusCode::kDataLoss:
    case StatusCode::kFailedPrecondition:
      return 3;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return 4;
    default:
      return 5;
  }
}

int Fail(const Status& s) {
  std::fprintf(stderr, "ceremony: %s: %.*s\n", StatusCodeName(s.code()), static_cast<int>(s.message().size()),
               s.message().data());
  return ExitCode(s);
}

StatusOr<std::unique_ptr<Script>> LoadScript(const std::string& path) {
  PKI_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1u << 20));
  std::vector<Diagnostic> diags;
  auto script = Script::Parse(text, &diags);
  if (!script.ok()) std::fputs(JoinDiagnostics(path, diags).c_str(), stderr);
  return script;
}

int Validate(const std::string& path) {
  auto script = LoadScript(path);
  if (!script.ok()) return 2;
  std::printf("%s: valid (%d steps, SHA-256 %s)\n", path.c_str(), (*script)->proto().steps_size(),
              HexString(AsBytes((*script)->sha256())).c_str());
  return 0;
}

int Plan(const std::string& path) {
  auto script = LoadScript(path);
  if (!script.ok()) return 2;
  std::fputs(RenderPlan(**script).c_str(), stdout);
  return 0;
}

struct RunFlags {
  std::string script, media, socket, serial, tcp, answers, previous, root_cert;
  bool allow_production = false;
};

int Run(const RunFlags& f) {
  auto script = LoadScript(f.script);
  if (!script.ok()) return 2;
  if (int(!f.socket.empty()) + int(!f.serial.empty()) + int(!f.tcp.empty()) != 1) {
    return Fail(InvalidArgumentError("give exactly one of --socket, --serial or --tcp"));
  }
  if (f.allow_production && !f.answers.empty()) {
    return Fail(InvalidArgumentError("--answers is for rehearsals and tests: refused with --allow-production"));
  }
  std::string log;
  std::unique_ptr<Prompter> prompter;
  if (!f.answers.empty()) {
    auto text = ReadFile(f.answers);
    if (!text.ok()) return Fail(text.status());
    const size_t slash = f.answers.rfind('/');
    const std::string base = slash == std::string::npos ? "." : f.answers.substr(0, slash);
    auto p = AnswersPrompter::Create(*text, base, nullptr);
    if (!p.ok()) return Fail(p.status());
    if (Status checked = CheckAnswersText(*text, **script); !checked.ok()) return Fail(checked);
    prompter = std::move(*p);
  } else {
    auto p = TerminalPrompter::Create("/dev/tty");
    if (!p.ok()) return Fail(p.status());
    prompter = std::move(*p);
  }
  std::string root_der;
  const std::string root_path = f.root_cert.empty() ? f.media + "/out/root.crt" : f.root_cert;
  if (auto root = ReadFile(root_path); root.ok()) {
    auto certs = ParseCertificates(*root);
    if (!certs.ok() || certs->empty()) return Fail(InvalidArgumentError("not a certificate: ").Append(root_path));
    auto der = CertificateToDer(*(*certs)[0]);
    if (!der.ok()) return Fail(der.status());
    root_der = *der;
  } else if (!f.root_cert.empty()) {
    return Fail(root.status());
  }
  auto client = !f.tcp.empty()      ? host_agent::LinkClient::ConnectTcp(f.tcp)
                : f.socket.empty() ? host_agent::LinkClient::OpenSerial(f.serial)
                                   : host_agent::LinkClient::ConnectUnix(f.socket);
  if (!client.ok()) return Fail(client.status());
  auto session = LinkApplianceSession::Create(std::move(*client), root_der);
  if (!session.ok()) return Fail(session.status());
  RunOptions options;
  options.media_dir = f.media;
  options.allow_production = f.allow_production;
  options.previous_transcript = f.previous;
  // Answers-file runs print the room's log on stdout; the terminal prompter writes to /dev/tty.
  class Echo final : public Prompter {
   public:
    explicit Echo(Prompter& inner, bool echo) : inner_(inner), echo_(echo) {}
    void Say(const std::string& t) override {
      if (echo_) std::printf("%s\n", t.c_str());
      inner_.Say(t);
    }
    StatusOr<std::vector<std::string>> Attendance(const std::vector<std::string>& e) override { return inner_.Attendance(e); }
    StatusOr<bool> Confirm(const std::string& s, const std::string& p, const std::string& q, const std::string& ph) override {
      auto r = inner_.Confirm(s, p, q, ph);
      if (echo_ && r.ok()) std::printf("   [%s] %s: %s\n", s.c_str(), p.c_str(), *r ? "confirmed" : "declined");
      return r;
    }
    StatusOr<SecretBuffer> Passphrase(const std::string& c, bool n) override { return inner_.Passphrase(c, n); }
    StatusOr<SecretBuffer> ConfirmPassphrase(const std::string& c) override { return inner_.ConfirmPassphrase(c); }
    std::optional<std::string> Deviation(const std::string& s) override { return inner_.Deviation(s); }

   private:
    Prompter& inner_;
    bool echo_;
  } echo(*prompter, !f.answers.empty());
  auto runner = Runner::Create(**script, **session, echo, options);
  if (!runner.ok()) return Fail(runner.status());
  auto result = (*runner)->Run();
  if (!result.ok()) return Fail(result.status());
  std::fflush(stdout);
  if (result->outcome != v1::COMPLETED) {
    Fail(result->status);
    return 1;
  }
  if (!result->status.ok()) {  // completed, but the transcript could not be signed
    Fail(result->status);
    std::fprintf(stderr, "ceremony: the ceremony COMPLETED; its transcript is UNSIGNED: %s/%s\n",
                 f.media.c_str(), result->transcript_path.c_str());
    return 6;
  }
  std::printf("ceremony %s completed; transcript %s/%s\n", (*script)->proto().name().c_str(), f.media.c_str(),
              result->transcript_path.c_str());
  return 0;
}

StatusOr<v1::SignedTranscript> LoadTranscript(const std::string& path) {
  PKI_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return ParseSignedTranscript(bytes);
}

int VerifyCommand(const std::string& path, const std::string& key_path, const std::string& previous,
                  const std::string& media, const std::string& journal_head, const std::string& journal) {
  auto t = LoadTranscript(path);
  if (!t.ok()) return Fail(t.status());
  VerifyOptions o;
  auto pem = ReadFile(key_path);
  if (!pem.ok()) return Fail(pem.status());
  auto key = PublicKeyDerFromPem(*pem);
  if (!key.ok()) return Fail(key.status());
  o.audit_public_key_der = *key;
  o.media_dir = media;
  if (!previous.empty()) {
    auto p = LoadTranscript(previous);
    if (!p.ok()) return Fail(p.status());
    o.previous = *p;
  }
  if (!journal_head.empty()) {
    std::string head;
    if (!ParseHex(journal_head, &head)) return Fail(InvalidArgumentError("--journal-head is not hex"));
    o.exported_journal_head = head;
  }
  Status s = Verify(*t, o);
  if (!s.ok()) return Fail(s);
  if (!journal.empty()) {
    auto exported = ReadFile(journal);
    if (!exported.ok()) return Fail(exported.status());
    s = CheckJournalExport(*t, *exported, *key);
    if (!s.ok()) return Fail(s);
  }
  std::printf("%s: OK (signature, %s%s%s%s)\n", path.c_str(), previous.empty() ? "no chain check" : "chain",
              media.empty() ? "" : ", artifacts", journal_head.empty() ? "" : ", journal head",
              journal.empty() ? "" : ", journal export");
  std::printf("transcript SHA-256 %s\n", HexString(AsBytes(TranscriptHash(*t))).c_str());
  return 0;
}

int Render(const std::string& path) {
  auto t = LoadTranscript(path);
  if (!t.ok()) return Fail(t.status());
  auto md = RenderMarkdown(*t);
  if (!md.ok()) return Fail(md.status());
  std::fputs(md->c_str(), stdout);
  return 0;
}

}  // namespace
}  // namespace pki::ceremony

int main(int argc, char** argv) {
  using namespace pki::ceremony;
  CLI::App app{"ceremony: validate, plan, run and verify root ceremonies"};
  app.require_subcommand(1);
  std::string script;
  auto* validate = app.add_subcommand("validate", "parse and validate a script");
  validate->add_option("script", script, "the .textproto script")->required();
  auto* plan = app.add_subcommand("plan", "print the dry-run plan of a script");
  plan->add_option("script", script, "the .textproto script")->required();
  RunFlags rf;
  auto* run = app.add_subcommand("run", "run a ceremony against the appliance");
  run->add_option("script", rf.script, "the .textproto script")->required();
  run->add_option("--media", rf.media, "removable-media folder")->required();
  run->add_option("--socket", rf.socket, "appliance-sim unix socket");
  run->add_option("--serial", rf.serial, "appliance serial device");
  run->add_option("--tcp", rf.tcp, "appliance UART on a TCP socket, HOST:PORT (QEMU's serial chardev)");
  run->add_option("--answers", rf.answers, "answers file (rehearsals and tests; not for real ceremonies)");
  run->add_option("--previous-transcript", rf.previous, "the previous ceremony's transcript");
  run->add_option("--root-cert", rf.root_cert, "root certificate (default MEDIA/out/root.crt)");
  run->add_flag("--allow-production", rf.allow_production, "allow a production appliance");
  std::string transcript, key, previous, media, head, journal;
  auto* verify = app.add_subcommand("verify-transcript", "verify a transcript");
  verify->add_option("transcript", transcript)->required();
  verify->add_option("--audit-key", key, "the appliance's audit public key (PEM)")->required();
  verify->add_option("--previous", previous, "the previous ceremony's transcript");
  verify->add_option("--media", media, "check every artifact's SHA-256 under this folder");
  verify->add_option("--journal-head", head, "head (hex) of the verified exported journal");
  verify->add_option("--journal", journal, "exported journal: verified (hash chain, signatures) and tied to the transcript");
  std::string ak_socket, ak_serial, ak_tcp, ak_out;
  auto* audit_key = app.add_subcommand("audit-key", "write the appliance's audit public key (PEM) and print its fingerprint");
  audit_key->add_option("--socket", ak_socket, "appliance-sim unix socket");
  audit_key->add_option("--serial", ak_serial, "appliance serial device");
  audit_key->add_option("--tcp", ak_tcp, "appliance UART on a TCP socket, HOST:PORT");
  audit_key->add_option("--out", ak_out, "where to write the PEM")->required();
  auto* render = app.add_subcommand("render", "print a transcript as Markdown");
  render->add_option("transcript", transcript)->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*validate) return Validate(script);
  if (*plan) return Plan(script);
  if (*run) return Run(rf);
  if (*audit_key) {
    if (int(!ak_socket.empty()) + int(!ak_serial.empty()) + int(!ak_tcp.empty()) != 1) {
      return Fail(pki::InvalidArgumentError("give exactly one of --socket, --serial or --tcp"));
    }
    auto client = !ak_tcp.empty()      ? pki::host_agent::LinkClient::ConnectTcp(ak_tcp)
                  : ak_socket.empty() ? pki::host_agent::LinkClient::OpenSerial(ak_serial)
                                      : pki::host_agent::LinkClient::ConnectUnix(ak_socket);
    if (!client.ok()) return Fail(client.status());
    pki::Status s = AuditKeyCommand(std::move(*client), ak_out);
    return s.ok() ? 0 : Fail(s);
  }
  if (*verify) return VerifyCommand(transcript, key, previous, media, head, journal);
  if (*render) return Render(transcript);
  return 2;
}
