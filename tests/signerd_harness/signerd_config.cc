#include "signerd_config.h"

namespace pki::testing {

std::string SignerdConfigYaml(const SignerdSetup& setup, const std::string& pin_file) {
  std::string y = "server:\n  listen: \"127.0.0.1:0\"\n";
  if (setup.metrics) y += "  metrics_listen: \"127.0.0.1:0\"\n";
  for (const std::string& line : setup.server_extra) y += "  " + line + "\n";
  y += R"(  tls:
    cert_file: server.pem
    key_file: server.key
    client_cas:
      - ca_file: ca.pem
        crl_file: crl.pem
hsm:
  modules: [)" + setup.module + "]\n  tokens:\n";
  for (const std::string& token : setup.tokens) {
    y += "    - uri: \"pkcs11:token=" + token + "\"\n      pin_file: " + pin_file + "\n";
  }
  y += "  sessions_per_token: " + std::to_string(setup.sessions_per_token) + "\n";
  for (const std::string& line : setup.hsm_extra) y += "  " + line + "\n";
  y += R"(keys:
  - name: release
    purpose: artifact-signing
    versions:
      - version: 1
        uris: [)";
  for (size_t i = 0; i < setup.tokens.size(); ++i) {
    y += (i == 0 ? "\"" : ",\n               \"") + std::string("pkcs11:token=") + setup.tokens[i] +
         ";object=release;type=private\"";
  }
  y += R"(]
policy:
  clients:
    - name: ci
      uri_san: "spiffe://example.org/ci"
      keys: [{key: release, rights: [)" + setup.ci_rights + R"(]}]
audit:
  path: state/audit.log
)";
  return y;
}

}  // namespace pki::testing
