// issuance_config.cc — the profiles:, issuers: and issuance: sections of
// signerd's config (certificate issuance, issue 7; see docs/issuance.md).
#include <set>
#include <string>

#include "config/config.h"
#include "config/config_reader.h"

namespace pki::signer::config_internal {
namespace {

constexpr int64_t kMaxBackdateSeconds = 3600;
constexpr uint64_t kMaxValiditySeconds = 398ull * 24 * 3600;

// ParseSignAlgorithm maps an AlgorithmName back; kUnspecified if unknown.
SignAlgorithm ParseSignAlgorithm(const std::string& name) {
  for (uint8_t v = 1; v <= static_cast<uint8_t>(SignAlgorithm::kEd25519); ++v) {
    const auto alg = static_cast<SignAlgorithm>(v);
    if (name == AlgorithmName(alg)) return alg;
  }
  return SignAlgorithm::kUnspecified;
}

// Strings reads an optional list of non-empty strings.
std::vector<std::string> Strings(Reader& r, const YAML::Node& parent, std::string_view key,
                                 const std::string& path) {
  std::vector<std::string> out;
  YAML::Node seq = r.Seq(parent, key, path, false);
  for (size_t i = 0; i < seq.size(); ++i) {
    if (!seq[i].IsScalar() || seq[i].Scalar().empty()) {
      r.Error(Reader::Index(Reader::Join(path, key), i), "must be a non-empty string");
      continue;
    }
    out.push_back(seq[i].Scalar());
  }
  return out;
}

void ReadUrls(Reader& r, const YAML::Node& n, std::string_view key, const std::string& path,
              std::vector<std::string>& out) {
  out = Strings(r, n, key, path);
  for (size_t i = 0; i < out.size(); ++i) {
    const std::string& u = out[i];
    const bool scheme = u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0;
    if (!scheme || u.find_first_of(", \t\r\n") != std::string::npos) {
      r.Error(Reader::Index(Reader::Join(path, key), i),
              "must be an http:// or https:// URL without commas or spaces");
    }
  }
}

const KeyConfig* FindKey(const Config& cfg, const std::string& name) {
  for (const KeyConfig& k : cfg.pool.keys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

void ReadIssuers(Reader& r, const YAML::Node& root, Config& cfg) {
  YAML::Node issuers = r.Seq(root, "issuers", "", false);
  std::set<std::string> seen;
  for (size_t i = 0; i < issuers.size(); ++i) {
    const std::string ipath = Reader::Index("issuers", i);
    if (!r.Map(issuers[i], ipath, {"key", "signature_algorithm", "crl_urls", "ca_issuers_urls",
                                    "ocsp_urls", "backdate_s"})) {
      continue;
    }
    IssuerConfig ic;
    ic.key_name = r.String(issuers[i], "key", ipath, true);
    if (!ic.key_name.empty()) {
      const KeyConfig* key = FindKey(cfg, ic.key_name);
      if (key == nullptr) {
        r.Error(ipath + ".key", "no key named '" + ic.key_name + "' in keys");
      } else if (key->purpose != KeyPurpose::kCertificateIssuance) {
        r.Error(ipath + ".key", "key '" + ic.key_name + "' must have purpose certificate-issuance");
      } else {
        bool has_chain = false;
        for (const KeyVersionConfig& v : key->versions) {
          if (v.version == key->primary_version) has_chain = !v.chain_file.empty();
        }
        if (!has_chain) {
          r.Error(ipath + ".key", "key '" + ic.key_name +
                                      "': its primary version needs a chain_file (the issuer "
                                      "certificate first)");
        }
      }
      if (!seen.insert(ic.key_name).second) {
        r.Error(ipath + ".key", "duplicate issuer '" + ic.key_name + "'");
      }
    }
    const std::string alg = r.String(issuers[i], "signature_algorithm", ipath, true);
    ic.signature_algorithm = ParseSignAlgorithm(alg);
    if (!alg.empty() && ic.signature_algorithm == SignAlgorithm::kUnspecified) {
      r.Error(ipath + ".signature_algorithm",
              "unknown algorithm '" + alg + "' (e.g. ecdsa-p256-sha256, rsa-pkcs1-sha256)");
    }
    ReadUrls(r, issuers[i], "crl_urls", ipath, ic.crl_urls);
    ReadUrls(r, issuers[i], "ca_issuers_urls", ipath, ic.ca_issuers_urls);
    ReadUrls(r, issuers[i], "ocsp_urls", ipath, ic.ocsp_urls);
    ic.backdate = std::chrono::seconds(
        r.Uint(issuers[i], "backdate_s", ipath, 60, 0, kMaxBackdateSeconds));
    cfg.issuance.issuers.push_back(std::move(ic));
  }
}

// ReadKeyUsage maps names to KU bits.
uint16_t ReadKeyUsage(Reader& r, const YAML::Node& n, const std::string& path, uint16_t def) {
  if (!n["key_usage"].IsDefined()) return def;
  uint16_t ku = 0;
  const std::vector<std::string> names = Strings(r, n, "key_usage", path);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "digital-signature") {
      ku |= kKuDigitalSignature;
    } else if (names[i] == "key-encipherment") {
      ku |= kKuKeyEncipherment;
    } else if (names[i] == "key-agreement") {
      ku |= kKuKeyAgreement;
    } else {
      r.Error(Reader::Index(path + ".key_usage", i),
              "unknown key usage (use digital-signature, key-encipherment, key-agreement)");
    }
  }
  return ku;
}

std::vector<std::string> ReadEku(Reader& r, const YAML::Node& n, const std::string& path) {
  std::vector<std::string> out;
  const std::vector<std::string> names = Strings(r, n, "ext_key_usage", path);
  for (const std::string& name : names) {
    if (name == "server-auth") {
      out.emplace_back(kEkuServerAuth);
    } else if (name == "client-auth") {
      out.emplace_back(kEkuClientAuth);
    } else if (name == "code-signing") {
      out.emplace_back(kEkuCodeSigning);
    } else {
      out.push_back(name);  // a dotted OID; ValidateProfile checks it
    }
  }
  return out;
}

void ReadProfile(Reader& r, const YAML::Node& n, const std::string& path, Config& cfg) {
  if (!r.Map(n, path, {"name", "template", "issuer", "key_usage", "rsa_adds_key_encipherment",
                       "ext_key_usage", "max_validity_s", "key_algorithms", "rsa_min_bits",
                       "rsa_max_bits", "names", "allow_wildcard", "allow_common_name", "max_names",
                       "max_uri_names"})) {
    return;
  }
  const size_t errors_before = r.error_count();
  Profile p;
  const std::string tmpl = r.String(n, "template", path, false);
  if (tmpl == "tls-server") {
    p = TlsServerProfile("");
  } else if (tmpl == "tls-client") {
    p = TlsClientProfile("");
  } else if (tmpl == "code-signing") {
    p = CodeSigningProfile("");
  } else if (tmpl == "spiffe-workload") {
    p = SpiffeWorkloadProfile("");
  } else if (!tmpl.empty()) {
    r.Error(path + ".template",
            "unknown template (use tls-server, tls-client, code-signing, spiffe-workload)");
  }
  p.name = r.String(n, "name", path, true);
  p.issuing_key = r.String(n, "issuer", path, true);
  if (!p.issuing_key.empty()) {
    bool found = false;
    for (const IssuerConfig& ic : cfg.issuance.issuers) found = found || ic.key_name == p.issuing_key;
    if (!found) r.Error(path + ".issuer", "no issuer with key '" + p.issuing_key + "' in issuers");
  }
  p.key_usage = ReadKeyUsage(r, n, path, p.key_usage);
  p.rsa_adds_key_encipherment =
      r.Bool(n, "rsa_adds_key_encipherment", path, p.rsa_adds_key_encipherment);
  if (n["ext_key_usage"].IsDefined()) p.ext_key_usage = ReadEku(r, n, path);
  p.max_validity = std::chrono::seconds(r.Uint(n, "max_validity_s", path,
                                               static_cast<uint64_t>(p.max_validity.count()), 1,
                                               kMaxValiditySeconds));
  if (n["key_algorithms"].IsDefined()) {
    p.allow_ec_p256 = p.allow_ec_p384 = p.allow_ed25519 = false;
    bool rsa = false;
    const std::vector<std::string> algs = Strings(r, n, "key_algorithms", path);
    for (size_t i = 0; i < algs.size(); ++i) {
      if (algs[i] == "ec-p256") {
        p.allow_ec_p256 = true;
      } else if (algs[i] == "ec-p384") {
        p.allow_ec_p384 = true;
      } else if (algs[i] == "ed25519") {
        p.allow_ed25519 = true;
      } else if (algs[i] == "rsa") {
        rsa = true;
      } else {
        r.Error(Reader::Index(path + ".key_algorithms", i),
                "unknown key algorithm (use ec-p256, ec-p384, ed25519, rsa)");
      }
    }
    if (!rsa) p.rsa_min_bits = 0;
    if (rsa && p.rsa_min_bits == 0) p.rsa_min_bits = 2048;
  }
  p.rsa_min_bits = static_cast<uint32_t>(r.Uint(n, "rsa_min_bits", path, p.rsa_min_bits, 0, 16384));
  p.rsa_max_bits = static_cast<uint32_t>(r.Uint(n, "rsa_max_bits", path, p.rsa_max_bits, 2048, 16384));
  if (n["names"].IsDefined()) {
    p.allow_dns = p.allow_ip = p.allow_spiffe_uri = p.allow_email = false;
    const std::vector<std::string> types = Strings(r, n, "names", path);
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i] == "dns") {
        p.allow_dns = true;
      } else if (types[i] == "ip") {
        p.allow_ip = true;
      } else if (types[i] == "spiffe-uri") {
        p.allow_spiffe_uri = true;
      } else if (types[i] == "email") {
        p.allow_email = true;
      } else {
        r.Error(Reader::Index(path + ".names", i), "unknown name type (use dns, ip, spiffe-uri, email)");
      }
    }
  }
  p.allow_wildcard = r.Bool(n, "allow_wildcard", path, p.allow_wildcard);
  p.allow_common_name = r.Bool(n, "allow_common_name", path, p.allow_common_name);
  p.max_names = static_cast<uint32_t>(r.Uint(n, "max_names", path, p.max_names, 1, 1000));
  p.max_uri_names = static_cast<uint32_t>(r.Uint(n, "max_uri_names", path, p.max_uri_names, 0, 1000));
  if (r.error_count() == errors_before) {
    Status s = ValidateProfile(p);
    if (!s.ok()) r.Error(path, std::string(s.message()));
  }
  for (const Profile& other : cfg.issuance.profiles) {
    if (!p.name.empty() && other.name == p.name) {
      r.Error(path + ".name", "duplicate profile name '" + p.name + "'");
    }
  }
  cfg.issuance.profiles.push_back(std::move(p));
}

}  // namespace

void ReadIssuance(Reader& r, const YAML::Node& root, Config& cfg) {
  ReadIssuers(r, root, cfg);
  YAML::Node profiles = root["profiles"];
  if (profiles.IsDefined() && !profiles.IsNull()) {
    YAML::Node seq = r.Seq(root, "profiles", "", true);
    for (size_t i = 0; i < seq.size(); ++i) ReadProfile(r, seq[i], Reader::Index("profiles", i), cfg);
  } else if (cfg.issuance.issuers.size() == 1) {
    cfg.issuance.profiles = DefaultProfiles(cfg.issuance.issuers[0].key_name);
  } else if (cfg.issuance.issuers.size() > 1) {
    r.Error("profiles", "required when more than one issuer is configured (which issues what?)");
  }
  YAML::Node n = root["issuance"];
  if (n.IsDefined()) {
    if (r.Map(n, "issuance", {"idempotency_capacity"})) {
      cfg.issuance.idempotency_capacity =
          static_cast<size_t>(r.Uint(n, "idempotency_capacity", "issuance", 10000, 1, 10000000));
    }
  }
}

void ReadClientIssuance(Reader& r, const YAML::Node& node, const std::string& path,
                        const Config& cfg, ClientPolicy& client) {
  client.issue_profiles = Strings(r, node, "issue", path);
  std::set<std::string> seen;
  for (size_t i = 0; i < client.issue_profiles.size(); ++i) {
    const std::string& name = client.issue_profiles[i];
    bool known = false;
    for (const Profile& p : cfg.issuance.profiles) known = known || p.name == name;
    if (!known) {
      r.Error(Reader::Index(path + ".issue", i), "no profile named '" + name + "' in profiles");
    } else if (!seen.insert(name).second) {
      r.Error(Reader::Index(path + ".issue", i), "profile '" + name + "' listed twice");
    }
  }
  YAML::Node al = node["allowlist"];
  if (!al.IsDefined()) return;
  const std::string apath = path + ".allowlist";
  if (!r.Map(al, apath, {"dns_suffixes", "ip_cidrs", "spiffe_trust_domain", "spiffe_path_prefixes",
                         "email_domains"})) {
    return;
  }
  const size_t errors_before = r.error_count();
  NameAllowlist& a = client.allowlist;
  a.dns_suffixes = Strings(r, al, "dns_suffixes", apath);
  a.ip_cidrs = Strings(r, al, "ip_cidrs", apath);
  a.spiffe_trust_domain = r.String(al, "spiffe_trust_domain", apath, false);
  a.spiffe_path_prefixes = Strings(r, al, "spiffe_path_prefixes", apath);
  a.email_domains = Strings(r, al, "email_domains", apath);
  if (!a.spiffe_path_prefixes.empty() && a.spiffe_trust_domain.empty()) {
    r.Error(apath + ".spiffe_path_prefixes", "needs spiffe_trust_domain");
  }
  if (r.error_count() == errors_before) {
    Status s = ValidateAllowlist(a);
    if (!s.ok()) r.Error(apath, std::string(s.message()));
  }
}

}  // namespace pki::signer::config_internal
