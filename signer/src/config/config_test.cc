#include "config/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pki::signer {
namespace {

using ::testing::HasSubstr;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/signer_config_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    for (const char* f : {"server.pem", "ca.pem", "crl.pem", "chain.pem", "module.so"}) Write(f, "x", 0644);
    for (const char* f : {"server.key", "pin-a"}) Write(f, "x", 0600);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text, mode_t mode) {
    const std::string p = dir_ + "/" + name;
    std::ofstream(p) << text;
    ::chmod(p.c_str(), mode);
  }

  static std::string Good() {
    return R"(server:
  listen: "127.0.0.1:0"
  metrics_listen: "127.0.0.1:9464"
  tls:
    cert_file: server.pem
    key_file: server.key
    client_cas:
      - ca_file: ca.pem
        crl_file: crl.pem
hsm:
  modules: [module.so]
  tokens:
    - uri: "pkcs11:token=signer-a"
      pin_file: pin-a
  sessions_per_token: 2
keys:
  - name: release
    purpose: artifact-signing
    versions:
      - version: 1
        uris: ["pkcs11:token=signer-a;object=release-1;type=private"]
      - version: 2
        uris: ["pkcs11:token=signer-a;object=release-2;type=private",
               "pkcs11:token=signer-b;object=release-2;type=private"]
        chain_file: chain.pem
    primary_version: 2
  - name: issuing
    purpose: certificate-issuance
    versions:
      - version: 1
        uris: ["pkcs11:token=signer-a;id=%01%02;type=private"]
policy:
  clients:
    - name: ci
      uri_san: "spiffe://example.org/ci"
      keys:
        - key: release
          rights: [sign, get-public-key]
        - key: issuing
          rights: [get-public-key]
      rate_limit: {requests_per_second: 50, burst: 100}
    - name: ra
      subject: "CN=ra,O=Example"
      keys: [{key: issuing, rights: [get-public-key]}]
audit:
  path: audit.log
  rotate_bytes: 1048576
)";
  }

  // Parse returns every problem with |yaml|; empty when it loads.
  std::vector<std::string> Problems(const std::string& yaml) {
    std::vector<std::string> errors;
    auto cfg = ParseConfigText(yaml, dir_, &errors);
    EXPECT_EQ(cfg.ok(), errors.empty());
    return errors;
  }

  // ExpectOneProblem replaces |from| (must occur) by |to| in the good config
  // and expects exactly one problem, containing |want|.
  void ExpectProblem(const std::string& from, const std::string& to, const std::string& want) {
    std::string yaml = Good();
    const size_t at = yaml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    yaml.replace(at, from.size(), to);
    auto errors = Problems(yaml);
    ASSERT_FALSE(errors.empty()) << "no error for " << to;
    EXPECT_THAT(errors[0], HasSubstr(want)) << "all: " << ::testing::PrintToString(errors);
  }

  std::string dir_;
};

TEST_F(ConfigTest, GoodConfigFillsEverything) {
  std::vector<std::string> errors;
  auto cfg = ParseConfigText(Good(), dir_, &errors);
  ASSERT_TRUE(cfg.ok()) << ::testing::PrintToString(errors);
  EXPECT_EQ(cfg->server.listen, "127.0.0.1:0");
  EXPECT_EQ(cfg->server.cert_file, dir_ + "/server.pem");
  ASSERT_EQ(cfg->server.client_cas.size(), 1u);
  EXPECT_EQ(cfg->server.client_cas[0].crl_file, dir_ + "/crl.pem");
  ASSERT_EQ(cfg->pool.keys.size(), 2u);
  EXPECT_EQ(cfg->pool.keys[0].primary_version, 2u);
  EXPECT_EQ(cfg->pool.keys[0].versions[1].replica_uris.size(), 2u);
  EXPECT_EQ(cfg->pool.keys[0].versions[1].chain_file, dir_ + "/chain.pem");
  EXPECT_EQ(cfg->pool.keys[1].purpose, KeyPurpose::kCertificateIssuance);
  EXPECT_EQ(cfg->pool.keys[1].primary_version, 1u);  // the last version by default
  EXPECT_EQ(cfg->pool.sessions_per_token, 2u);
  EXPECT_EQ(cfg->pool.logins[0].pin_file, dir_ + "/pin-a");
  ASSERT_EQ(cfg->policy.clients.size(), 2u);
  EXPECT_EQ(cfg->policy.clients[0].kind, IdentityKind::kUriSan);
  EXPECT_TRUE(cfg->policy.clients[0].keys[0].sign);
  EXPECT_TRUE(cfg->policy.clients[0].keys[0].get_public_key);
  EXPECT_FALSE(cfg->policy.clients[0].keys[1].sign);
  EXPECT_DOUBLE_EQ(cfg->policy.clients[0].requests_per_second, 50);
  EXPECT_EQ(cfg->policy.clients[0].burst, 100u);
  EXPECT_EQ(cfg->policy.clients[1].kind, IdentityKind::kSubject);
  EXPECT_EQ(cfg->audit.path, dir_ + "/audit.log");
  EXPECT_EQ(cfg->audit.rotate_bytes, 1048576u);
}

TEST_F(ConfigTest, LoadConfigReadsAFileAndResolvesRelativeNames) {
  Write("signerd.yaml", Good(), 0644);
  auto cfg = LoadConfig(dir_ + "/signerd.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->server.key_file, dir_ + "/server.key");
  auto missing = LoadConfig(dir_ + "/nope.yaml");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(ConfigTest, BadUriNamesTheFieldPath) {
  ExpectProblem("pkcs11:token=signer-b;object=release-2;type=private", "file:///etc/key",
                "keys[0].versions[1].uris[1]: not a PKCS#11 URI");
  ExpectProblem("pkcs11:token=signer-a;object=release-1;type=private",
                "pkcs11:token=signer-a;object=release-1;type=private?pin-value=1234",
                "keys[0].versions[0].uris[0]: not a PKCS#11 URI (query attributes are refused");
  ExpectProblem("pkcs11:token=signer-a;object=release-1;type=private",
                "pkcs11:token=signer-a;object=release-1;colour=red;type=private",
                "keys[0].versions[0].uris[0]: not a PKCS#11 URI (unknown attribute 'colour')");
  ExpectProblem("id=%01%02", "id=%0G", "keys[1].versions[0].uris[0]: not a PKCS#11 URI (bad %-escape)");
  ExpectProblem("object=release-1;type=private", "object=release-1",
                "keys[0].versions[0].uris[0]: must select a private key");
  ExpectProblem("uri: \"pkcs11:token=signer-a\"", "uri: \"pkcs11:token=signer-a;object=x\"",
                "hsm.tokens[0].uri: must name a token only");
}

TEST_F(ConfigTest, UnknownKeysAreErrors) {
  ExpectProblem("  sessions_per_token: 2", "  sessions_per_tokens: 2", "hsm.sessions_per_tokens: unknown field");
  ExpectProblem("audit:\n", "auditing: {}\naudit:\n", "auditing: unknown field");
  ExpectProblem("        chain_file: chain.pem", "        chain_file: chain.pem\n        colour: red",
                "keys[0].versions[1].colour: unknown field");
  ExpectProblem("      rate_limit: {requests_per_second: 50, burst: 100}",
                "      rate_limit: {requests_per_second: 50, burst: 100, period: 3}",
                "policy.clients[0].rate_limit.period: unknown field");
}

TEST_F(ConfigTest, EachBadFieldIsNamed) {
  ExpectProblem("listen: \"127.0.0.1:0\"", "listen: \"nowhere\"", "server.listen: must be host:port");
  ExpectProblem("metrics_listen: \"127.0.0.1:9464\"", "metrics_listen: \"0.0.0.0:9464\"",
                "server.metrics_listen: must be a loopback");
  ExpectProblem("cert_file: server.pem", "cert_file: missing.pem", "server.tls.cert_file: file not found");
  ExpectProblem("ca_file: ca.pem", "ca_file: [a]", "server.tls.client_cas[0].ca_file: must be a string");
  ExpectProblem("modules: [module.so]", "modules: []", "hsm.modules: must not be empty");
  ExpectProblem("sessions_per_token: 2", "sessions_per_token: -2", "hsm.sessions_per_token: must be an unsigned integer");
  ExpectProblem("sessions_per_token: 2", "sessions_per_token: 0", "hsm.sessions_per_token: must be between 1 and 1024");
  ExpectProblem("purpose: artifact-signing", "purpose: signing",
                "keys[0].purpose: must be artifact-signing or certificate-issuance");
  ExpectProblem("  - name: issuing", "  - name: release", "keys[1].name: duplicate key name 'release'");
  ExpectProblem("      - version: 2", "      - version: 1", "keys[0].versions[1].version: duplicate version 1");
  ExpectProblem("primary_version: 2", "primary_version: 7", "keys[0].primary_version: no such version");
  ExpectProblem("key: release", "key: nothing", "policy.clients[0].keys[0].key: no key named 'nothing'");
  ExpectProblem("rights: [sign, get-public-key]", "rights: [sign, delete]",
                "policy.clients[0].keys[0].rights[1]: unknown right");
  ExpectProblem("rights: [get-public-key]}]", "rights: [sign]}]",
                "policy.clients[1].keys[0].rights[0]: 'sign' is not allowed on certificate-issuance key");
  ExpectProblem("      subject: \"CN=ra,O=Example\"", "      uri_san: \"spiffe://example.org/ci\"",
                "policy.clients[1]: identity 'spiffe://example.org/ci' already used");
  ExpectProblem("      subject: \"CN=ra,O=Example\"", "      subject: x\n      dns_san: y",
                "policy.clients[1]: needs exactly one of uri_san, dns_san, subject");
  ExpectProblem("requests_per_second: 50", "requests_per_second: fast",
                "policy.clients[0].rate_limit.requests_per_second: must be a number");
  ExpectProblem("rotate_bytes: 1048576", "rotate_bytes: 10", "audit.rotate_bytes: must be between");
  ExpectProblem("        crl_file: crl.pem", "        crl_file: crl.pem\n      - ca_file: ca.pem\n    watch_interval_s: 5",
                "server.tls.watch_interval_s: needs exactly one client_cas entry");
  ExpectProblem("path: audit.log", "path: /nonexistent-dir/audit.log", "audit.path: folder does not exist");
}

TEST_F(ConfigTest, SecretFilesMustBePrivate) {
  Write("pin-a", "1234", 0644);
  auto errors = Problems(Good());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("hsm.tokens[0].pin_file: file is accessible by group or others"));
  EXPECT_THAT(errors[0], ::testing::Not(HasSubstr("1234")));
}

TEST_F(ConfigTest, EveryProblemIsReportedAndFirstIsInTheStatus) {
  std::string yaml = Good();
  yaml.replace(yaml.find("sessions_per_token: 2"), 21, "sessions_per_token: x");
  yaml.replace(yaml.find("purpose: artifact-signing"), 25, "purpose: y");
  std::vector<std::string> errors;
  auto cfg = ParseConfigText(yaml, dir_, &errors);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(errors.size(), 2u);
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cfg.status().message()), HasSubstr("hsm.sessions_per_token"));
  EXPECT_THAT(std::string(cfg.status().message()), HasSubstr("(+1 more)"));
}

TEST_F(ConfigTest, MalformedYamlAndMissingSections) {
  auto errors = Problems("server: [unclosed");
  ASSERT_FALSE(errors.empty());
  EXPECT_THAT(errors[0], HasSubstr("YAML"));
  errors = Problems("{}");
  EXPECT_THAT(::testing::PrintToString(errors), HasSubstr("server: required"));
  EXPECT_THAT(::testing::PrintToString(errors), HasSubstr("keys: required"));
  EXPECT_THAT(::testing::PrintToString(errors), HasSubstr("audit: required"));
  errors = Problems("- a list");
  EXPECT_THAT(errors[0], HasSubstr("must be a mapping"));
}

// WithIssuance is Good() with a chain on the issuing key and issuance sections.
std::string WithIssuance(const std::string& extra) {
  std::string yaml = std::string(R"(server:
  listen: "127.0.0.1:0"
  tls:
    cert_file: server.pem
    key_file: server.key
    client_cas: [{ca_file: ca.pem}]
hsm:
  modules: [module.so]
  tokens: [{uri: "pkcs11:token=signer-a", pin_file: pin-a}]
keys:
  - name: release
    purpose: artifact-signing
    versions: [{version: 1, uris: ["pkcs11:token=signer-a;object=release-1;type=private"]}]
  - name: issuing
    purpose: certificate-issuance
    versions:
      - version: 1
        uris: ["pkcs11:token=signer-a;object=issuing;type=private"]
        chain_file: chain.pem
policy:
  clients: [{name: ra, subject: "CN=ra,O=Example"}]
audit:
  path: audit.log
issuers:
  - key: issuing
    signature_algorithm: ecdsa-p256-sha256
    crl_urls: ["http://crl.example.com/issuing.crl"]
    ca_issuers_urls: ["http://pki.example.com/issuing.der"]
    backdate_s: 120
)");
  return yaml + extra;
}

TEST_F(ConfigTest, IssuersAndDefaultProfiles) {
  std::vector<std::string> errors;
  auto cfg = ParseConfigText(WithIssuance("issuance: {idempotency_capacity: 50}\n"), dir_, &errors);
  ASSERT_TRUE(cfg.ok()) << ::testing::PrintToString(errors);
  ASSERT_EQ(cfg->issuance.issuers.size(), 1u);
  const IssuerConfig& ic = cfg->issuance.issuers[0];
  EXPECT_EQ(ic.key_name, "issuing");
  EXPECT_EQ(ic.signature_algorithm, SignAlgorithm::kEcdsaP256Sha256);
  EXPECT_EQ(ic.crl_urls, std::vector<std::string>{"http://crl.example.com/issuing.crl"});
  EXPECT_EQ(ic.ca_issuers_urls.size(), 1u);
  EXPECT_TRUE(ic.ocsp_urls.empty());
  EXPECT_EQ(ic.backdate.count(), 120);
  EXPECT_EQ(cfg->issuance.idempotency_capacity, 50u);
  // No profiles: section: the four built-ins, issued by the only issuer.
  ASSERT_EQ(cfg->issuance.profiles.size(), 4u);
  for (const Profile& p : cfg->issuance.profiles) EXPECT_EQ(p.issuing_key, "issuing");
  EXPECT_EQ(ProfileHashHex(cfg->issuance.profiles[0]), ProfileHashHex(TlsServerProfile("issuing")));
}

TEST_F(ConfigTest, NoIssuanceSectionsMeansNoIssuance) {
  std::vector<std::string> errors;
  auto cfg = ParseConfigText(Good(), dir_, &errors);
  ASSERT_TRUE(cfg.ok()) << ::testing::PrintToString(errors);
  EXPECT_TRUE(cfg->issuance.issuers.empty());
  EXPECT_TRUE(cfg->issuance.profiles.empty());
  EXPECT_EQ(cfg->issuance.idempotency_capacity, 10000u);
}

TEST_F(ConfigTest, ConfiguredProfilesMapOntoProfileFields) {
  std::vector<std::string> errors;
  auto cfg = ParseConfigText(WithIssuance(R"(profiles:
  - name: web
    template: tls-server
    issuer: issuing
    max_validity_s: 86400
    key_algorithms: [ec-p256]
    allow_wildcard: false
  - name: svc
    issuer: issuing
    key_usage: [digital-signature, key-agreement]
    ext_key_usage: [client-auth, "1.3.6.1.4.1.99999.1"]
    names: [spiffe-uri]
    max_uri_names: 1
)"), dir_, &errors);
  ASSERT_TRUE(cfg.ok()) << ::testing::PrintToString(errors);
  ASSERT_EQ(cfg->issuance.profiles.size(), 2u);
  const Profile& web = cfg->issuance.profiles[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.ext_key_usage, std::vector<std::string>{kEkuServerAuth});  // from the template
  EXPECT_EQ(web.max_validity.count(), 86400);
  EXPECT_TRUE(web.allow_ec_p256);
  EXPECT_FALSE(web.allow_ec_p384);
  EXPECT_EQ(web.rsa_min_bits, 0u);
  EXPECT_FALSE(web.allow_wildcard);
  EXPECT_TRUE(web.allow_dns);
  const Profile& svc = cfg->issuance.profiles[1];
  EXPECT_EQ(svc.key_usage, kKuDigitalSignature | kKuKeyAgreement);
  EXPECT_EQ(svc.ext_key_usage, (std::vector<std::string>{kEkuClientAuth, "1.3.6.1.4.1.99999.1"}));
  EXPECT_TRUE(svc.allow_spiffe_uri);
  EXPECT_FALSE(svc.allow_dns);
  EXPECT_EQ(svc.max_uri_names, 1u);
}

TEST_F(ConfigTest, BadIssuanceFieldsAreNamed) {
  auto first = [&](const std::string& yaml) {
    auto errors = Problems(yaml);
    return errors.empty() ? std::string("(no error)") : errors[0];
  };
  std::string y = WithIssuance("");
  auto with = [&](const std::string& from, const std::string& to, const std::string& extra = "") {
    std::string out = WithIssuance(extra);
    const size_t at = out.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) out.replace(at, from.size(), to);
    return out;
  };
  EXPECT_THAT(first(with("backdate_s: 120", "backdate_s: 120\n    colour: red")),
              HasSubstr("issuers[0].colour: unknown field"));
  EXPECT_THAT(first(with("  - key: issuing", "  - key: release")),
              HasSubstr("issuers[0].key: key 'release' must have purpose certificate-issuance"));
  EXPECT_THAT(first(with("  - key: issuing", "  - key: nope")), HasSubstr("issuers[0].key: no key named 'nope'"));
  EXPECT_THAT(first(with("        chain_file: chain.pem\n", "")),
              HasSubstr("issuers[0].key: key 'issuing': its primary version needs a chain_file"));
  EXPECT_THAT(first(with("ecdsa-p256-sha256", "ecdsa-p999")),
              HasSubstr("issuers[0].signature_algorithm: unknown algorithm 'ecdsa-p999'"));
  EXPECT_THAT(first(with("http://crl.example.com/issuing.crl", "ldap://crl.example.com/x")),
              HasSubstr("issuers[0].crl_urls[0]: must be an http:// or https:// URL"));
  EXPECT_THAT(first(with("http://crl.example.com/issuing.crl", "http://a,b")),
              HasSubstr("issuers[0].crl_urls[0]: must be an http:// or https:// URL without commas"));
  EXPECT_THAT(first(with("backdate_s: 120", "backdate_s: 7200")),
              HasSubstr("issuers[0].backdate_s: must be between 0 and 3600"));
  EXPECT_THAT(first(WithIssuance("issuance: {idempotency_capacity: 0}\n")),
              HasSubstr("issuance.idempotency_capacity: must be between"));
  EXPECT_THAT(first(WithIssuance("issuance: {capacity: 5}\n")), HasSubstr("issuance.capacity: unknown field"));
  const std::string prof = "profiles:\n  - {name: p, template: tls-server, issuer: issuing";
  EXPECT_THAT(first(WithIssuance(prof + ", colour: red}\n")), HasSubstr("profiles[0].colour: unknown field"));
  EXPECT_THAT(first(WithIssuance(prof + ", max_validity_s: 999999999}\n")),
              HasSubstr("profiles[0].max_validity_s: must be between"));
  EXPECT_THAT(first(WithIssuance("profiles:\n  - {name: p, template: tls-server, issuer: other}\n")),
              HasSubstr("profiles[0].issuer: no issuer with key 'other'"));
  EXPECT_THAT(first(WithIssuance("profiles:\n  - {name: p, template: nope, issuer: issuing}\n")),
              HasSubstr("profiles[0].template: unknown template"));
  EXPECT_THAT(first(WithIssuance(prof + ", names: [ip], allow_wildcard: true}\n")),
              HasSubstr("profiles[0]: profile 'p': allow_wildcard needs allow_dns"));
  EXPECT_THAT(first(WithIssuance(prof + ", key_usage: [key-cert-sign]}\n")),
              HasSubstr("profiles[0].key_usage[0]: unknown key usage"));
  EXPECT_THAT(first(WithIssuance(prof + ", ext_key_usage: [not-an-oid]}\n")),
              HasSubstr("profiles[0]: profile 'p': ext_key_usage holds a malformed OID"));
  EXPECT_THAT(first(WithIssuance(prof + "}\n" + "  - {name: p, template: tls-client, issuer: issuing}\n")),
              HasSubstr("profiles[1].name: duplicate profile name 'p'"));
  EXPECT_THAT(first(WithIssuance(prof + ", names: [x400]}\n")), HasSubstr("profiles[0].names[0]: unknown name type"));
  (void)y;
}

TEST_F(ConfigTest, ClientIssueGrantsAndAllowlist) {
  std::string yaml = WithIssuance("");
  const std::string from = "  clients: [{name: ra, subject: \"CN=ra,O=Example\"}]\n";
  auto with_client = [&](const std::string& client) {
    std::string out = yaml;
    out.replace(out.find(from), from.size(), "  clients:\n    - name: ra\n      subject: \"CN=ra,O=Example\"\n" + client);
    return out;
  };
  std::vector<std::string> errors;
  auto cfg = ParseConfigText(with_client(R"(      issue: [tls-server, spiffe-workload]
      allowlist:
        dns_suffixes: [example.com]
        ip_cidrs: ["10.0.0.0/8", "2001:db8::/32"]
        spiffe_trust_domain: prod.example.org
        spiffe_path_prefixes: [/ns/payments]
        email_domains: [example.com]
)"), dir_, &errors);
  ASSERT_TRUE(cfg.ok()) << ::testing::PrintToString(errors);
  const ClientPolicy& c = cfg->policy.clients[0];
  EXPECT_EQ(c.issue_profiles, (std::vector<std::string>{"tls-server", "spiffe-workload"}));
  EXPECT_EQ(c.allowlist.dns_suffixes, std::vector<std::string>{"example.com"});
  EXPECT_EQ(c.allowlist.ip_cidrs.size(), 2u);
  EXPECT_EQ(c.allowlist.spiffe_trust_domain, "prod.example.org");
  EXPECT_EQ(c.allowlist.spiffe_path_prefixes, std::vector<std::string>{"/ns/payments"});
  EXPECT_EQ(c.allowlist.email_domains, std::vector<std::string>{"example.com"});

  auto first = [&](const std::string& client) {
    auto errs = Problems(with_client(client));
    return errs.empty() ? std::string("(no error)") : errs[0];
  };
  EXPECT_THAT(first("      issue: [tls-serverx]\n"),
              HasSubstr("policy.clients[0].issue[0]: no profile named 'tls-serverx'"));
  EXPECT_THAT(first("      issue: [tls-server, tls-server]\n"),
              HasSubstr("policy.clients[0].issue[1]: profile 'tls-server' listed twice"));
  EXPECT_THAT(first("      allowlist: {dns_suffix: [example.com]}\n"),
              HasSubstr("policy.clients[0].allowlist.dns_suffix: unknown field"));
  EXPECT_THAT(first("      allowlist: {ip_cidrs: [\"10.0.0.0/33\"]}\n"),
              HasSubstr("policy.clients[0].allowlist: IPv4 prefix longer than 32: 10.0.0.0/33"));
  EXPECT_THAT(first("      allowlist: {dns_suffixes: [\"*.example.com\"]}\n"),
              HasSubstr("policy.clients[0].allowlist: allowlist: DNS suffix must be a plain domain"));
  EXPECT_THAT(first("      allowlist: {spiffe_path_prefixes: [/ns]}\n"),
              HasSubstr("policy.clients[0].allowlist.spiffe_path_prefixes: needs spiffe_trust_domain"));
}

TEST(Pkcs11UriTest, Rfc7512Examples) {
  std::string why;
  EXPECT_TRUE(IsPkcs11Uri("pkcs11:object=my-pubkey;type=public", &why));
  EXPECT_TRUE(IsPkcs11Uri("pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BE%2D%DA%CE%9B%D8%95%BC%E8%3A%44;serial=", &why)) << why;
  EXPECT_FALSE(IsPkcs11Uri("pkcs11:", &why));
  EXPECT_FALSE(IsPkcs11Uri("pkcs11:token=a;token=b", &why));
  EXPECT_THAT(why, HasSubstr("repeated"));
  EXPECT_FALSE(IsPkcs11Uri("pkcs11:type=weird", &why));
  EXPECT_FALSE(IsPkcs11Uri("pkcs11:object=a%2", &why));
}

}  // namespace
}  // namespace pki::signer

namespace pki::signer {
namespace {

// The shipped example must stay valid: the only problems allowed are the
// files and folders it names that do not exist on a build machine.
TEST(ConfigExampleTest, ExampleHasNoProblemButMissingFiles) {
  const std::string here = std::string(__FILE__).substr(0, std::string(__FILE__).rfind('/'));
  std::vector<std::string> errors;
  std::ifstream in(here + "/signerd.example.yaml");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  auto cfg = ParseConfigText(ss.str(), here, &errors);
  for (const std::string& e : errors) {
    EXPECT_TRUE(e.find("file not found") != std::string::npos ||
                e.find("folder does not exist") != std::string::npos)
        << e;
  }
}

}  // namespace
}  // namespace pki::signer
