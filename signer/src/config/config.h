// config.h — signerd's configuration: one YAML file, validated whole.
//
// LoadConfig reads the file, checks every field (unknown keys are errors,
// PKCS#11 URIs are parsed, referenced files must exist, names must resolve)
// and returns plain data: the HSM part as the pool's PoolConfig, the rest for
// the server, the policy and the audit log. Errors name the field path, e.g.
// "keys[2].versions[0].uris[1]: not a PKCS#11 URI". No secret is read here:
// PIN files are only checked to exist and be private.
//
// signerd.example.yaml beside this file shows every field.
#ifndef PKI_SIGNER_CONFIG_CONFIG_H_
#define PKI_SIGNER_CONFIG_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status_or.h"
#include "signer/issuance.h"
#include "signer/pool_config.h"

namespace pki::signer {

struct ClientCaConfig {
  std::string ca_file;   // PEM bundle of CA certificates clients chain to
  std::string crl_file;  // optional PEM/DER CRL(s) of those CAs; "" if none
};

struct ServerConfig {
  std::string listen;          // "host:port"; port 0 picks a free port
  std::string cert_file;       // server certificate chain, PEM
  std::string key_file;        // server private key, PEM (mode 0600)
  std::vector<ClientCaConfig> client_cas;
  std::string metrics_listen;  // loopback "127.0.0.1:port" or "[::1]:port"; "" = off
  std::chrono::milliseconds health_refresh{2000};
  std::chrono::milliseconds sign_deadline{5000};  // pool deadline per Sign
  // > 0: serve TLS through grpc's FileWatcherCertificateProvider, re-reading
  // cert_file, key_file and the (single) client CA bundle this often, so
  // renewed certificates apply without a restart or dropped connections.
  uint32_t tls_watch_interval_s = 0;
};

// How a client is recognized in its verified TLS certificate.
enum class IdentityKind : uint8_t { kUriSan = 1, kDnsSan = 2, kSubject = 3 };

struct KeyGrant {
  std::string key;  // a configured key name
  bool sign = false;
  bool get_public_key = false;
};

struct ClientPolicy {
  std::string name;  // for logs and metrics
  IdentityKind kind = IdentityKind::kUriSan;
  std::string identity;  // URI SAN, DNS SAN, or RFC 2253 subject DN
  std::vector<KeyGrant> keys;
  double requests_per_second = 0;  // 0: unlimited
  uint32_t burst = 0;
  std::vector<std::string> issue_profiles;  // profiles it may IssueCertificate under
  NameAllowlist allowlist;                  // names its certificates may carry
};

struct PolicyConfig {
  std::vector<ClientPolicy> clients;
};

struct AuditConfig {
  std::string path;  // active log file (relative: to the config folder); rotated to path.<gen>
  uint64_t rotate_bytes = 64u << 20;   // rotate once the file reaches this size
};

// Certificate issuance (issue 7). Issuers' certificate_der / chain_der are
// left empty here: signerd fills them from the issuing key's chain
// (KeyVersionInfo::chain_der, certificate first, root dropped) at start.
struct IssuanceConfig {
  std::vector<Profile> profiles;      // validated; absent: DefaultProfiles(the only issuer)
  std::vector<IssuerConfig> issuers;  // one per certificate-issuance key used
  size_t idempotency_capacity = 10000;
};

struct Config {
  ServerConfig server;
  PoolConfig pool;
  PolicyConfig policy;
  AuditConfig audit;
  IssuanceConfig issuance;
};

// LoadConfig reads and validates the YAML file at |path|. On failure returns
// INVALID_ARGUMENT whose message is the first problem found, prefixed with its
// field path (and "(+N more)" when there are others), or NOT_FOUND if |path|
// itself can't be read. Returns a Config the caller owns.
StatusOr<Config> LoadConfig(const std::string& path);

// ValidateConfigFile is LoadConfig for tools that want every problem:
// appends one line per problem ("field.path: what is wrong") to |out_errors|
// (borrowed; must be non-null) and returns the Config only if there are none.
StatusOr<Config> ValidateConfigFile(const std::string& path, std::vector<std::string>* out_errors);

// ParseConfigText validates YAML |text| as if read from a file; relative file
// names are resolved against |base_dir|. Same errors as ValidateConfigFile.
StatusOr<Config> ParseConfigText(const std::string& text, const std::string& base_dir,
                                 std::vector<std::string>* out_errors);

// IsPkcs11Uri reports whether |uri| is an RFC 7512 PKCS#11 URI with known
// path attributes and valid percent-encoding; on false sets |out_why|.
bool IsPkcs11Uri(const std::string& uri, std::string* out_why);

}  // namespace pki::signer

#endif  // PKI_SIGNER_CONFIG_CONFIG_H_
