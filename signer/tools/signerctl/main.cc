// signerctl — administer the signer's HSM keys.
//
//   signerctl keygen --module M --token T --pin-file F --label L --type ec-p256|...
//   signerctl csr --module M --token T --pin-file F --label L --subject "/CN=..." [--san TYPE:VALUE]... [--out FILE]
//   signerctl attach-chain --module M --token T --pin-file F --label L --chain FILE
//   signerctl list --module M [--token T] [--pin-file F]
//   signerctl config check --config FILE
//   signerctl audit verify --log PATH [--expect-head HEX] [--expect-seq N]
//   signerctl audit issued --log PATH [--serial HEX] [--name TEXT] [--client NAME] [--pem]
//   signerctl status (--config FILE | --admin 127.0.0.1:PORT) [--json]
//
// PINs come only from files (mode 0600 or stricter). Exit codes: 0 ok,
// 1 usage, 2 failure (message on stderr).
#include <CLI/CLI.hpp>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "audit/audit_issued.h"
#include "audit/audit_verify.h"
#include "chain.h"
#include "common/file.h"
#include "common/ossl.h"
#include "config/config.h"
#include "crl_freshness.h"
#include "csr.h"
#include "hsm_session.h"
#include "keygen.h"
#include "list.h"
#include "status.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;
constexpr int kExitFailure = 2;

// The one firewall from Status to an exit code and a message.
int Fail(const pki::Status& s) {
  std::fprintf(stderr, "signerctl: %s: %.*s\n", pki::StatusCodeName(s.code()),
               static_cast<int>(s.message().size()), s.message().data());
  return kExitFailure;
}

struct Common {
  std::string module;
  std::string token;
  std::string pin_file;
  std::string label;
};

void AddTokenOptions(CLI::App* cmd, Common* c, bool need_pin) {
  cmd->add_option("--module", c->module, "PKCS#11 module path")->required();
  cmd->add_option("--token", c->token, "token label or pkcs11: URI")->required();
  auto* pin = cmd->add_option("--pin-file", c->pin_file, "file holding the user PIN (mode 0600)");
  if (need_pin) pin->required();
  cmd->add_option("--label", c->label, "key label")->required();
}

int RunKeygen(const Common& c, const std::string& type_text) {
  pki::StatusOr<pki::signerctl::KeyType> type = pki::signerctl::ParseKeyType(type_text);
  if (!type.ok()) {
    Fail(type.status());
    return kExitUsage;
  }
  auto hsm = pki::signerctl::HsmSession::Open(c.module, c.token, c.pin_file);
  if (!hsm.ok()) return Fail(hsm.status());
  auto key = pki::signerctl::GenerateKey(**hsm, c.label, *type);
  if (!key.ok()) return Fail(key.status());
  std::printf("%s\n", key->private_uri.c_str());
  return kExitOk;
}

int RunCsr(const Common& c, const std::string& subject, const std::vector<std::string>& sans,
           const std::string& out) {
  auto hsm = pki::signerctl::HsmSession::Open(c.module, c.token, c.pin_file);
  if (!hsm.ok()) return Fail(hsm.status());
  auto csr = pki::signerctl::MakeCsr(**hsm, c.label, subject, sans);
  if (!csr.ok()) return Fail(csr.status());
  if (out.empty() || out == "-") {
    std::fwrite(csr->data(), 1, csr->size(), stdout);
    return kExitOk;
  }
  pki::Status s = pki::WriteFileAtomic(out, pki::AsBytes(*csr), 0644);
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

int RunAttachChain(const Common& c, const std::string& chain_file) {
  auto pem = pki::ReadFile(chain_file);
  if (!pem.ok()) return Fail(pem.status());
  auto hsm = pki::signerctl::HsmSession::Open(c.module, c.token, c.pin_file);
  if (!hsm.ok()) return Fail(hsm.status());
  auto uris = pki::signerctl::AttachChain(**hsm, c.label, *pem);
  if (!uris.ok()) return Fail(uris.status());
  for (const std::string& uri : *uris) std::printf("%s\n", uri.c_str());
  return kExitOk;
}

// config check: every problem of the file, one per line; exit 2 if any.
int RunConfigCheck(const std::string& path) {
  std::vector<std::string> errors;
  auto config = pki::signer::ValidateConfigFile(path, &errors);
  if (config.ok()) {
    // Warnings, not failures: a CRL past (or near) its nextUpdate is a valid
    // config, but signerd refuses that CA's clients until a fresh one comes.
    std::vector<std::string> crl_files;
    for (const auto& ca : config->server.client_cas) {
      if (!ca.crl_file.empty()) crl_files.push_back(ca.crl_file);
    }
    for (const std::string& w : pki::signerctl::CrlFreshnessWarnings(crl_files, std::time(nullptr))) {
      std::fprintf(stderr, "%s: warning: %s\n", path.c_str(), w.c_str());
    }
    std::printf("%s: OK\n", path.c_str());
    return kExitOk;
  }
  if (errors.empty()) return Fail(config.status());
  for (const std::string& e : errors) std::fprintf(stderr, "%s: %s\n", path.c_str(), e.c_str());
  return kExitFailure;
}

// audit verify: the whole chain of the log whose active file is |path|,
// rotated files included; optionally tied to an anchor (head hash / last
// sequence number from signerd's shutdown line or metrics), which is what
// detects records cut off the end of the newest file.
int RunAuditVerify(const std::string& path, const std::string& expect_head, uint64_t expect_seq) {
  std::vector<std::string> files = pki::signer::ListAuditFiles(path);
  if (files.empty()) return Fail(pki::NotFoundError("no audit log at ").Append(path));
  auto report = pki::signer::VerifyAuditLog(files);
  if (!report.ok()) return Fail(report.status());
  if (!expect_head.empty() && report->head_hash != expect_head) {
    return Fail(pki::DataLossError("audit log head does not match the anchor (records cut off the end?)"));
  }
  if (expect_seq != 0 && report->last_seq != expect_seq) {
    return Fail(pki::DataLossError("audit log ends at seq ")
                    .AppendNumber(report->last_seq)
                    .Append(", anchor says ")
                    .AppendNumber(expect_seq));
  }
  std::printf("audit log OK: %zu files, records %llu..%llu, head %s\n", files.size(),
              static_cast<unsigned long long>(report->first_seq),  // NOLINT(google-runtime-int)
              static_cast<unsigned long long>(report->last_seq),   // NOLINT(google-runtime-int)
              report->head_hash.c_str());
  if (report->torn_tail) {
    std::printf("note: torn last record at %s (never acknowledged; cut off when signerd reopens the log)\n",
                report->torn_tail_at.c_str());
  }
  return kExitOk;
}

// audit issued: the certificates signerd issued (OK IssueCertificate.outcome
// records), oldest first, optionally only those with serial |serial|, a name
// containing |name| or client |client|; with |pem|, each certificate's PEM
// (records written before certificates were recorded have none).
int RunAuditIssued(const std::string& path, const std::string& serial, const std::string& name,
                   const std::string& client, bool pem) {
  std::vector<std::string> files = pki::signer::ListAuditFiles(path);
  if (files.empty()) return Fail(pki::NotFoundError("no audit log at ").Append(path));
  size_t malformed = 0;
  auto records = pki::signer::ReadIssuedRecords(files, 0, &malformed);
  if (!records.ok()) return Fail(records.status());
  std::string want_serial = serial;
  for (char& ch : want_serial) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  while (want_serial.size() > 1 && want_serial[0] == '0') want_serial.erase(0, 1);
  size_t shown = 0;
  for (const pki::signer::IssuedRecord& r : *records) {
    std::string s = r.serial;
    while (s.size() > 1 && s[0] == '0') s.erase(0, 1);
    if (!want_serial.empty() && s != want_serial) continue;
    if (!name.empty() && r.names.find(name) == std::string::npos) continue;
    if (!client.empty() && r.client != client) continue;
    ++shown;
    std::printf("%s seq=%llu serial=%s client=%s request_id=%s profile=%s key=%s names=%s cert_sha256=%s\n",
                r.time.c_str(), static_cast<unsigned long long>(r.seq),  // NOLINT(google-runtime-int)
                r.serial.c_str(), r.client.c_str(), r.request_id.c_str(), r.profile.c_str(),
                r.issuing_key.c_str(), r.names.c_str(), r.cert_sha256.c_str());
    if (pem && !r.certificate_der.empty()) {
      const unsigned char* p = reinterpret_cast<const unsigned char*>(r.certificate_der.data());
      pki::OsslPtr<X509> x(d2i_X509(nullptr, &p, static_cast<long>(r.certificate_der.size())));
      if (x != nullptr) PEM_write_X509(stdout, x.get());
    }
  }
  std::fprintf(stderr, "%zu of %zu issued certificates shown", shown, records->size());
  if (malformed > 0) std::fprintf(stderr, "; %zu unreadable outcome records", malformed);
  std::fprintf(stderr, "\n");
  return kExitOk;
}

// status: a running signerd's tokens, keys, audit log and client CRLs, from
// its loopback status page; exit 2 if it can't be reached.
int RunStatus(const std::string& config_path, std::string admin, bool json) {
  if (admin.empty()) {
    auto from_config = pki::signerctl::AdminAddressFromConfig(config_path);
    if (!from_config.ok()) return Fail(from_config.status());
    admin = *from_config;
  }
  auto page = pki::signerctl::FetchStatus(admin, std::chrono::seconds(5));
  if (!page.ok()) return Fail(page.status());
  if (json) {
    std::fwrite(page->data(), 1, page->size(), stdout);
    return kExitOk;
  }
  auto text = pki::signerctl::FormatStatus(*page);
  if (!text.ok()) return Fail(text.status());
  std::fwrite(text->data(), 1, text->size(), stdout);
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signerctl: administer the signer's HSM keys"};
  app.require_subcommand(1);
  Common c;
  std::string type, subject, out, chain_file;

  auto* keygen = app.add_subcommand("keygen", "generate a key pair inside a token");
  AddTokenOptions(keygen, &c, /*need_pin=*/true);
  keygen->add_option("--type", type, "ec-p256|ec-p384|rsa-2048|rsa-3072|rsa-4096|ed25519")->required();

  auto* csr = app.add_subcommand("csr", "write a PKCS#10 CSR signed inside the token");
  AddTokenOptions(csr, &c, /*need_pin=*/true);
  csr->add_option("--subject", subject, "subject, e.g. /CN=Issuing CA/O=Example")->required();
  std::vector<std::string> sans;
  csr->add_option("--san", sans,
                  "requested subjectAltName, TYPE:VALUE with TYPE DNS, IP, URI or email (repeatable), "
                  "e.g. --san email:release@example.com")
      ->allow_extra_args(false);
  csr->add_option("--out", out, "output file (default: stdout)");

  auto* attach = app.add_subcommand("attach-chain", "store a key's certificate chain in the token");
  AddTokenOptions(attach, &c, /*need_pin=*/true);
  attach->add_option("--chain", chain_file, "PEM file, the key's certificate first")->required();

  auto* list = app.add_subcommand("list", "list tokens and keys with their PKCS#11 URIs");
  list->add_option("--module", c.module, "PKCS#11 module path")->required();
  list->add_option("--token", c.token, "only log in to this token (label)");
  list->add_option("--pin-file", c.pin_file, "file holding the user PIN (mode 0600)");

  std::string config_path, audit_path, expect_head;
  uint64_t expect_seq = 0;
  auto* config = app.add_subcommand("config", "signerd configuration");
  config->require_subcommand(1);
  auto* config_check = config->add_subcommand("check", "validate a config file, naming every bad field");
  config_check->add_option("--config", config_path, "signerd config file (YAML)")->required();
  auto* audit = app.add_subcommand("audit", "signerd audit log");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify", "check the audit log's hash chain");
  audit_verify->add_option("--log", audit_path, "the active audit log file")->required();
  audit_verify->add_option("--expect-head", expect_head, "anchor: hex SHA-256 of the last record");
  audit_verify->add_option("--expect-seq", expect_seq, "anchor: sequence number of the last record");
  std::string issued_serial, issued_name, issued_client;
  bool issued_pem = false;
  auto* audit_issued = audit->add_subcommand("issued", "list the certificates issued (IssueCertificate outcomes)");
  audit_issued->add_option("--log", audit_path, "the active audit log file")->required();
  audit_issued->add_option("--serial", issued_serial, "only this serial (hex)");
  audit_issued->add_option("--name", issued_name, "only certificates with a name containing this (e.g. dns:www.example.com)");
  audit_issued->add_option("--client", issued_client, "only this client");
  audit_issued->add_flag("--pem", issued_pem, "also print each certificate (PEM)");

  std::string status_config, status_admin;
  bool status_json = false;
  auto* status = app.add_subcommand("status", "show a running signerd's tokens, keys, audit log and CRLs");
  auto* status_config_opt =
      status->add_option("--config", status_config, "signerd config file (its server.metrics_listen is used)");
  auto* status_admin_opt =
      status->add_option("--admin", status_admin, "signerd's metrics/admin listener, e.g. 127.0.0.1:9464");
  status_config_opt->excludes(status_admin_opt);
  status->add_flag("--json", status_json, "print the raw JSON page");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (keygen->parsed()) return RunKeygen(c, type);
  if (csr->parsed()) return RunCsr(c, subject, sans, out);
  if (attach->parsed()) return RunAttachChain(c, chain_file);
  if (config_check->parsed()) return RunConfigCheck(config_path);
  if (audit_verify->parsed()) return RunAuditVerify(audit_path, expect_head, expect_seq);
  if (audit_issued->parsed()) {
    return RunAuditIssued(audit_path, issued_serial, issued_name, issued_client, issued_pem);
  }
  if (status->parsed()) {
    if (status_config.empty() && status_admin.empty()) {
      std::fprintf(stderr, "signerctl: status needs --config FILE or --admin 127.0.0.1:PORT\n");
      return kExitUsage;
    }
    return RunStatus(status_config, status_admin, status_json);
  }
  if (list->parsed()) {
    auto text = pki::signerctl::ListTokens(c.module, c.token, c.pin_file);
    if (!text.ok()) return Fail(text.status());
    std::fwrite(text->data(), 1, text->size(), stdout);
    return kExitOk;
  }
  return kExitUsage;
}
