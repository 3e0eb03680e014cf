#include "config/config.h"
#include "config/config_reader.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string_view>

namespace pki::signer {
namespace {

constexpr size_t kMaxConfigBytes = 4u << 20;

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

using config_internal::Reader;

// HasAttr reports whether PKCS#11 URI |uri| has path attribute |name|.
bool HasAttr(const std::string& uri, const std::string& name) {
  return uri.find(":" + name + "=") != std::string::npos ||
         uri.find(";" + name + "=") != std::string::npos;
}

bool IsLoopbackAddress(const std::string& addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos || colon + 1 == addr.size()) return false;
  const std::string host = addr.substr(0, colon);
  const std::string port = addr.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      port.size() > 5 || std::stoul(port) > 65535) {
    return false;
  }
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost";
}

bool IsHostPort(const std::string& addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == addr.size()) return false;
  const std::string port = addr.substr(colon + 1);
  return port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         std::stoul(port) <= 65535;
}

void ReadServer(Reader& r, const YAML::Node& root, Config& cfg) {
  const std::string path = "server";
  YAML::Node n = root["server"];
  if (!n.IsDefined()) {
    r.Error(path, "required");
    return;
  }
  if (!r.Map(n, path, {"listen", "tls", "metrics_listen", "health_refresh_ms", "sign_deadline_ms"})) {
    return;
  }
  ServerConfig& s = cfg.server;
  s.listen = r.String(n, "listen", path, true);
  if (!s.listen.empty() && !IsHostPort(s.listen)) {
    r.Error("server.listen", "must be host:port (port 0 picks a free one)");
  }
  s.metrics_listen = r.String(n, "metrics_listen", path, false);
  if (!s.metrics_listen.empty() && !IsLoopbackAddress(s.metrics_listen)) {
    r.Error("server.metrics_listen", "must be a loopback host:port (127.0.0.1, [::1], localhost)");
  }
  s.health_refresh = std::chrono::milliseconds(r.Uint(n, "health_refresh_ms", path, 2000, 100, 600000));
  s.sign_deadline = std::chrono::milliseconds(r.Uint(n, "sign_deadline_ms", path, 5000, 10, 600000));

  const std::string tpath = "server.tls";
  YAML::Node tls = n["tls"];
  if (!tls.IsDefined()) {
    r.Error(tpath, "required");
    return;
  }
  if (!r.Map(tls, tpath, {"cert_file", "key_file", "client_cas", "watch_interval_s"})) return;
  s.tls_watch_interval_s = static_cast<uint32_t>(r.Uint(tls, "watch_interval_s", tpath, 0, 0, 86400));
  s.cert_file = r.File(r.String(tls, "cert_file", tpath, true), tpath + ".cert_file", false);
  s.key_file = r.File(r.String(tls, "key_file", tpath, true), tpath + ".key_file", true);
  YAML::Node cas = r.Seq(tls, "client_cas", tpath, true);
  for (size_t i = 0; i < cas.size(); ++i) {
    const std::string cpath = Reader::Index(tpath + ".client_cas", i);
    if (!r.Map(cas[i], cpath, {"ca_file", "crl_file"})) continue;
    ClientCaConfig ca;
    ca.ca_file = r.File(r.String(cas[i], "ca_file", cpath, true), cpath + ".ca_file", false);
    ca.crl_file = r.File(r.String(cas[i], "crl_file", cpath, false), cpath + ".crl_file", false);
    s.client_cas.push_back(std::move(ca));
  }
  if (s.tls_watch_interval_s > 0 && cas.size() > 1) {
    r.Error(tpath + ".watch_interval_s", "needs exactly one client_cas entry (one bundle file to watch)");
  }
}

void ReadHsm(Reader& r, const YAML::Node& root, Config& cfg) {
  const std::string path = "hsm";
  YAML::Node n = root["hsm"];
  if (!n.IsDefined()) {
    r.Error(path, "required");
    return;
  }
  if (!r.Map(n, path, {"modules", "tokens", "sessions_per_token", "session_wait_ms",
                       "probe_interval_ms", "reinit_backoff_max_ms"})) {
    return;
  }
  PoolConfig& p = cfg.pool;
  YAML::Node modules = r.Seq(n, "modules", path, true);
  for (size_t i = 0; i < modules.size(); ++i) {
    const std::string mpath = Reader::Index("hsm.modules", i);
    if (!modules[i].IsScalar() || modules[i].Scalar().empty()) {
      r.Error(mpath, "must be a module path");
      continue;
    }
    p.module_paths.push_back(r.File(modules[i].Scalar(), mpath, false));
  }
  YAML::Node tokens = r.Seq(n, "tokens", path, true);
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string tpath = Reader::Index("hsm.tokens", i);
    if (!r.Map(tokens[i], tpath, {"uri", "pin_file"})) continue;
    TokenLogin login;
    login.token_uri = r.String(tokens[i], "uri", tpath, true);
    std::string why;
    if (!login.token_uri.empty()) {
      if (!IsPkcs11Uri(login.token_uri, &why)) {
        r.Error(tpath + ".uri", "not a PKCS#11 URI (" + why + ")");
      } else if (HasAttr(login.token_uri, "object") || HasAttr(login.token_uri, "type") ||
                 HasAttr(login.token_uri, "id")) {
        r.Error(tpath + ".uri", "must name a token only (no object, id or type)");
      }
    }
    login.pin_file = r.File(r.String(tokens[i], "pin_file", tpath, true), tpath + ".pin_file", true);
    p.logins.push_back(std::move(login));
  }
  p.sessions_per_token = static_cast<uint32_t>(r.Uint(n, "sessions_per_token", path, 4, 1, 1024));
  p.session_wait = std::chrono::milliseconds(r.Uint(n, "session_wait_ms", path, 2000, 1, 600000));
  p.probe_interval = std::chrono::milliseconds(r.Uint(n, "probe_interval_ms", path, 5000, 100, 3600000));
  p.reinit_backoff_max =
      std::chrono::milliseconds(r.Uint(n, "reinit_backoff_max_ms", path, 30000, 100, 3600000));
}

void ReadKeys(Reader& r, const YAML::Node& root, Config& cfg) {
  YAML::Node keys = r.Seq(root, "keys", "", true);
  std::set<std::string> names;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string kpath = Reader::Index("keys", i);
    if (!r.Map(keys[i], kpath, {"name", "purpose", "primary_version", "versions"})) continue;
    KeyConfig key;
    key.name = r.String(keys[i], "name", kpath, true);
    if (!key.name.empty()) {
      const bool ok_chars = std::all_of(key.name.begin(), key.name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
      });
      if (!ok_chars || key.name.size() > 64) {
        r.Error(kpath + ".name", "use 1-64 characters of [A-Za-z0-9._-]");
      } else if (!names.insert(key.name).second) {
        r.Error(kpath + ".name", "duplicate key name '" + key.name + "'");
      }
    }
    const std::string purpose = r.String(keys[i], "purpose", kpath, true);
    if (purpose == "artifact-signing") {
      key.purpose = KeyPurpose::kArtifactSigning;
    } else if (purpose == "certificate-issuance") {
      key.purpose = KeyPurpose::kCertificateIssuance;
    } else if (!purpose.empty()) {
      r.Error(kpath + ".purpose", "must be artifact-signing or certificate-issuance");
    }
    YAML::Node versions = r.Seq(keys[i], "versions", kpath, true);
    std::set<uint32_t> seen;
    for (size_t j = 0; j < versions.size(); ++j) {
      const std::string vpath = Reader::Index(kpath + ".versions", j);
      if (!r.Map(versions[j], vpath, {"version", "uris", "chain_file", "allow_extractable"})) continue;
      KeyVersionConfig v;
      v.version = static_cast<uint32_t>(r.Uint(versions[j], "version", vpath, 0, 1, 1u << 30, true));
      if (v.version != 0 && !seen.insert(v.version).second) {
        r.Error(vpath + ".version", "duplicate version " + std::to_string(v.version));
      }
      YAML::Node uris = r.Seq(versions[j], "uris", vpath, true);
      for (size_t k = 0; k < uris.size(); ++k) {
        const std::string upath = Reader::Index(vpath + ".uris", k);
        std::string why;
        if (!uris[k].IsScalar()) {
          r.Error(upath, "not a PKCS#11 URI (must be a string)");
          continue;
        }
        const std::string uri = uris[k].Scalar();
        if (!IsPkcs11Uri(uri, &why)) {
          r.Error(upath, "not a PKCS#11 URI (" + why + ")");
        } else if (uri.find(":type=private") == std::string::npos &&
                   uri.find(";type=private") == std::string::npos) {
          r.Error(upath, "must select a private key (type=private)");
        } else if (!HasAttr(uri, "object") && !HasAttr(uri, "id")) {
          r.Error(upath, "must name the key (object= or id=)");
        }
        v.replica_uris.push_back(uri);
      }
      v.chain_file = r.File(r.String(versions[j], "chain_file", vpath, false), vpath + ".chain_file", false);
      v.allow_extractable = r.Bool(versions[j], "allow_extractable", vpath, false);
      key.versions.push_back(std::move(v));
    }
    const uint64_t def_primary = key.versions.empty() ? 1 : key.versions.back().version;
    key.primary_version = static_cast<uint32_t>(
        r.Uint(keys[i], "primary_version", kpath, def_primary, 1, 1u << 30));
    if (!seen.empty() && seen.count(key.primary_version) == 0) {
      r.Error(kpath + ".primary_version", "no such version in versions");
    }
    cfg.pool.keys.push_back(std::move(key));
  }
}

void ReadPolicy(Reader& r, const YAML::Node& root, Config& cfg) {
  const std::string path = "policy";
  YAML::Node n = root["policy"];
  if (!n.IsDefined()) {
    r.Error(path, "required");
    return;
  }
  if (!r.Map(n, path, {"clients"})) return;
  YAML::Node clients = r.Seq(n, "clients", path, true);
  std::set<std::string> names;
  std::set<std::pair<int, std::string>> identities;
  for (size_t i = 0; i < clients.size(); ++i) {
    const std::string cpath = Reader::Index("policy.clients", i);
    if (!r.Map(clients[i], cpath, {"name", "uri_san", "dns_san", "subject", "keys", "rate_limit",
                                          "issue", "allowlist"})) {
      continue;
    }
    ClientPolicy c;
    c.name = r.String(clients[i], "name", cpath, true);
    if (!c.name.empty() && !names.insert(c.name).second) {
      r.Error(cpath + ".name", "duplicate client name '" + c.name + "'");
    }
    int given = 0;
    for (auto [field, kind] : {std::pair{"uri_san", IdentityKind::kUriSan},
                               std::pair{"dns_san", IdentityKind::kDnsSan},
                               std::pair{"subject", IdentityKind::kSubject}}) {
      if (clients[i][field].IsDefined()) {
        ++given;
        c.kind = kind;
        c.identity = r.String(clients[i], field, cpath, true);
      }
    }
    if (given != 1) {
      r.Error(cpath, "needs exactly one of uri_san, dns_san, subject");
    } else if (!c.identity.empty() &&
               !identities.insert({static_cast<int>(c.kind), c.identity}).second) {
      r.Error(cpath, "identity '" + c.identity + "' already used by another client");
    }
    YAML::Node grants = r.Seq(clients[i], "keys", cpath, false);
    for (size_t j = 0; j < grants.size(); ++j) {
      const std::string gpath = Reader::Index(cpath + ".keys", j);
      if (!r.Map(grants[j], gpath, {"key", "rights"})) continue;
      KeyGrant g;
      g.key = r.String(grants[j], "key", gpath, true);
      const KeyConfig* key = nullptr;
      for (const KeyConfig& k : cfg.pool.keys) {
        if (k.name == g.key) key = &k;
      }
      if (!g.key.empty() && key == nullptr) {
        r.Error(gpath + ".key", "no key named '" + g.key + "' in keys");
      }
      YAML::Node rights = r.Seq(grants[j], "rights", gpath, true);
      for (size_t k = 0; k < rights.size(); ++k) {
        const std::string rpath = Reader::Index(gpath + ".rights", k);
        const std::string right = rights[k].IsScalar() ? rights[k].Scalar() : "";
        if (right == "sign") {
          if (key != nullptr && key->purpose == KeyPurpose::kCertificateIssuance) {
            r.Error(rpath, "'sign' is not allowed on certificate-issuance key '" + g.key +
                               "' (issuing keys sign only through IssueCertificate)");
          }
          g.sign = true;
        } else if (right == "get-public-key") {
          g.get_public_key = true;
        } else {
          r.Error(rpath, "unknown right (use sign, get-public-key)");
        }
      }
      c.keys.push_back(std::move(g));
    }
    YAML::Node rl = clients[i]["rate_limit"];
    if (rl.IsDefined()) {
      const std::string rpath = cpath + ".rate_limit";
      if (r.Map(rl, rpath, {"requests_per_second", "burst"})) {
        c.requests_per_second = r.Number(rl, "requests_per_second", rpath, 0.001, 1e6);
        c.burst = static_cast<uint32_t>(r.Uint(rl, "burst", rpath, 1, 1, 1000000, true));
      }
    }
    config_internal::ReadClientIssuance(r, clients[i], cpath, cfg, c);
    cfg.policy.clients.push_back(std::move(c));
  }
}

void ReadAudit(Reader& r, const YAML::Node& root, Config& cfg) {
  const std::string path = "audit";
  YAML::Node n = root["audit"];
  if (!n.IsDefined()) {
    r.Error(path, "required");
    return;
  }
  if (!r.Map(n, path, {"path", "rotate_bytes"})) return;
  std::string p = r.String(n, "path", path, true);
  if (!p.empty() && p[0] != '/') p = r.Resolve(p);
  if (!p.empty()) {
    const size_t slash = p.rfind('/');
    std::string dir = slash == std::string::npos ? "." : p.substr(0, slash);
    if (dir.empty()) dir = "/";
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      r.Error("audit.path", "folder does not exist: " + dir);
    }
  }
  cfg.audit.path = p;
  cfg.audit.rotate_bytes = r.Uint(n, "rotate_bytes", path, 64u << 20, 4096, 1ull << 40);
}

}  // namespace

bool IsPkcs11Uri(const std::string& uri, std::string* out_why) {
  static constexpr std::string_view kPrefix = "pkcs11:";
  static constexpr std::string_view kAttrs[] = {
      "token", "manufacturer", "serial", "model", "library-manufacturer", "library-description",
      "library-version", "object", "type", "id", "slot-description", "slot-manufacturer", "slot-id"};
  auto fail = [&](std::string why) {
    if (out_why != nullptr) *out_why = std::move(why);
    return false;
  };
  if (uri.compare(0, kPrefix.size(), kPrefix) != 0) return fail("must start with pkcs11:");
  std::string_view rest(uri);
  rest.remove_prefix(kPrefix.size());
  if (rest.find('?') != std::string_view::npos) {
    return fail("query attributes are refused; PINs go in hsm.tokens[].pin_file");
  }
  if (rest.empty()) return fail("no attributes");
  std::set<std::string> seen;
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    std::string_view attr = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    const size_t eq = attr.find('=');
    if (eq == std::string_view::npos || eq == 0) return fail("attribute without name=value");
    const std::string name(attr.substr(0, eq));
    const std::string_view value = attr.substr(eq + 1);
    if (std::find(std::begin(kAttrs), std::end(kAttrs), name) == std::end(kAttrs)) {
      return fail("unknown attribute '" + name + "'");
    }
    if (!seen.insert(name).second) return fail("attribute '" + name + "' repeated");
    for (size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '%') {
        if (i + 2 >= value.size() || !IsHex(value[i + 1]) || !IsHex(value[i + 2])) {
          return fail("bad %-escape");
        }
        i += 2;
      } else if (value[i] == '/' || value[i] == '?' || value[i] == ' ') {
        return fail("character must be %-escaped");
      }
    }
    if (name == "type" && value != "private" && value != "public" && value != "cert" &&
        value != "secret-key" && value != "data") {
      return fail("unknown type '" + std::string(value) + "'");
    }
  }
  return true;
}

StatusOr<Config> ParseConfigText(const std::string& text, const std::string& base_dir,
                                 std::vector<std::string>* out_errors) {
  PKI_CHECK(out_errors != nullptr);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    out_errors->push_back("line " + std::to_string(e.mark.line + 1) + ": YAML: " + e.msg);
    return InvalidArgumentError(out_errors->front());
  }
  Config cfg;
  Reader r(base_dir, out_errors);
  try {
    if (r.Map(root, "", {"server", "hsm", "keys", "policy", "audit", "profiles", "issuers",
                             "issuance"})) {
      ReadServer(r, root, cfg);
      ReadHsm(r, root, cfg);
      ReadKeys(r, root, cfg);
      config_internal::ReadIssuance(r, root, cfg);
      ReadPolicy(r, root, cfg);
      ReadAudit(r, root, cfg);
    }
  } catch (const YAML::Exception& e) {
    r.Error("line " + std::to_string(e.mark.line + 1), std::string("YAML: ") + e.msg);
  }
  if (!out_errors->empty()) {
    Status s = InvalidArgumentError(out_errors->front());
    if (out_errors->size() > 1) {
      s.Append(" (+").AppendNumber(out_errors->size() - 1).Append(" more)");
    }
    return s;
  }
  return cfg;
}

StatusOr<Config> ValidateConfigFile(const std::string& path, std::vector<std::string>* out_errors) {
  PKI_CHECK(out_errors != nullptr);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out_errors->push_back(path + ": cannot read the config file");
    return NotFoundError(out_errors->back());
  }
  std::string text;
  text.resize(kMaxConfigBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) {
    out_errors->push_back(path + ": config file larger than 4 MiB");
    return InvalidArgumentError(out_errors->back());
  }
  const size_t slash = path.rfind('/');
  const std::string base = slash == std::string::npos ? "." : path.substr(0, slash);
  return ParseConfigText(text, base.empty() ? "/" : base, out_errors);
}

StatusOr<Config> LoadConfig(const std::string& path) {
  std::vector<std::string> errors;
  return ValidateConfigFile(path, &errors);
}

}  // namespace pki::signer
