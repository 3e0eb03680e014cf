// signerctl — administer the signer's HSM keys.
//
//   signerctl keygen --module M --token T --pin-file F --label L --type ec-p256|...
//   signerctl csr --module M --token T --pin-file F --label L --subject "/CN=..." [--out FILE]
//   signerctl attach-chain --module M --token T --pin-file F --label L --chain FILE
//   signerctl list --module M [--token T] [--pin-file F]
//
// PINs come only from files (mode 0600 or stricter). Exit codes: 0 ok,
// 1 usage, 2 failure (message on stderr).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string>

#include "chain.h"
#include "common/file.h"
#include "csr.h"
#include "hsm_session.h"
#include "keygen.h"
#include "list.h"

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

int RunCsr(const Common& c, const std::string& subject, const std::string& out) {
  auto hsm = pki::signerctl::HsmSession::Open(c.module, c.token, c.pin_file);
  if (!hsm.ok()) return Fail(hsm.status());
  auto csr = pki::signerctl::MakeCsr(**hsm, c.label, subject);
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
  csr->add_option("--out", out, "output file (default: stdout)");

  auto* attach = app.add_subcommand("attach-chain", "store a key's certificate chain in the token");
  AddTokenOptions(attach, &c, /*need_pin=*/true);
  attach->add_option("--chain", chain_file, "PEM file, the key's certificate first")->required();

  auto* list = app.add_subcommand("list", "list tokens and keys with their PKCS#11 URIs");
  list->add_option("--module", c.module, "PKCS#11 module path")->required();
  list->add_option("--token", c.token, "only log in to this token (label)");
  list->add_option("--pin-file", c.pin_file, "file holding the user PIN (mode 0600)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (keygen->parsed()) return RunKeygen(c, type);
  if (csr->parsed()) return RunCsr(c, subject, out);
  if (attach->parsed()) return RunAttachChain(c, chain_file);
  if (list->parsed()) {
    auto text = pki::signerctl::ListTokens(c.module, c.token, c.pin_file);
    if (!text.ok()) return Fail(text.status());
    std::fwrite(text->data(), 1, text->size(), stdout);
    return kExitOk;
  }
  return kExitUsage;
}
