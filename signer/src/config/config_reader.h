// config_reader.h — internal: the YAML field reader shared by config.cc and
// issuance_config.cc. Not part of the public API.
#ifndef PKI_SIGNER_CONFIG_CONFIG_READER_H_
#define PKI_SIGNER_CONFIG_CONFIG_READER_H_

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace pki::signer::config_internal {

// Collects problems; every Check* records "path: what" and carries on, so a
// single run reports everything wrong with the file.
class Reader final {
 public:
  Reader(std::string base_dir, std::vector<std::string>* errors)
      : base_dir_(std::move(base_dir)), errors_(errors) {}

  void Error(const std::string& path, const std::string& what) {
    errors_->push_back(path + ": " + what);
  }
  size_t error_count() const { return errors_->size(); }

  // Map checks |node| is a mapping whose keys are all in |allowed|.
  bool Map(const YAML::Node& node, const std::string& path,
           std::initializer_list<std::string_view> allowed) {
    if (!node.IsMap()) {
      Error(path.empty() ? "(top level)" : path, "must be a mapping");
      return false;
    }
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) {
        Error(path.empty() ? "(top level)" : path, "keys must be plain names");
        continue;
      }
      const std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        Error(Join(path, key), "unknown field");
      }
    }
    return true;
  }

  static std::string Join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string Index(const std::string& path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

  // String reads a non-empty scalar; records an error if |required| and absent.
  std::string String(const YAML::Node& parent, std::string_view key, const std::string& path,
                     bool required) {
    const std::string p = Join(path, key);
    YAML::Node n = parent[std::string(key)];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Error(p, "required");
      return "";
    }
    if (!n.IsScalar()) {
      Error(p, "must be a string");
      return "";
    }
    if (n.Scalar().empty()) Error(p, "must not be empty");
    return n.Scalar();
  }

  // Uint reads an unsigned integer in [lo, hi]; returns |def| if absent.
  uint64_t Uint(const YAML::Node& parent, std::string_view key, const std::string& path,
                uint64_t def, uint64_t lo, uint64_t hi, bool required = false) {
    const std::string p = Join(path, key);
    YAML::Node n = parent[std::string(key)];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Error(p, "required");
      return def;
    }
    if (!n.IsScalar()) {
      Error(p, "must be an integer");
      return def;
    }
    const std::string& s = n.Scalar();
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
      Error(p, "must be an unsigned integer");
      return def;
    }
    if (v < lo || v > hi) {
      Error(p, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return def;
    }
    return v;
  }

  double Number(const YAML::Node& parent, std::string_view key, const std::string& path,
                double lo, double hi) {
    const std::string p = Join(path, key);
    YAML::Node n = parent[std::string(key)];
    if (!n.IsDefined() || n.IsNull()) {
      Error(p, "required");
      return 0;
    }
    double v = 0;
    std::istringstream in(n.IsScalar() ? n.Scalar() : std::string("x"));
    in >> v;
    if (!in || !in.eof() || !std::isfinite(v)) {
      Error(p, "must be a number");
      return 0;
    }
    if (v < lo || v > hi) {
      Error(p, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return 0;
    }
    return v;
  }

  bool Bool(const YAML::Node& parent, std::string_view key, const std::string& path, bool def) {
    const std::string p = Join(path, key);
    YAML::Node n = parent[std::string(key)];
    if (!n.IsDefined() || n.IsNull()) return def;
    if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) {
      return n.Scalar() == "true";
    }
    Error(p, "must be true or false");
    return def;
  }

  // Seq returns the sequence at |key| (an empty node if absent and optional).
  YAML::Node Seq(const YAML::Node& parent, std::string_view key, const std::string& path,
                 bool required) {
    const std::string p = Join(path, key);
    YAML::Node n = parent[std::string(key)];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Error(p, "required");
      return YAML::Node(YAML::NodeType::Sequence);
    }
    if (!n.IsSequence()) {
      Error(p, "must be a list");
      return YAML::Node(YAML::NodeType::Sequence);
    }
    if (required && n.size() == 0) Error(p, "must not be empty");
    return n;
  }

  // Resolve makes a relative |name| relative to the config's folder.
  std::string Resolve(const std::string& name) const {
    return (name.empty() || name[0] == '/' || base_dir_.empty()) ? name : base_dir_ + "/" + name;
  }

  // File resolves |name| against the config folder and checks it is a
  // regular file; |private_only| also refuses group/other access.
  std::string File(const std::string& name, const std::string& path, bool private_only) {
    if (name.empty()) return name;
    std::string full = (name[0] == '/' || base_dir_.empty()) ? name : base_dir_ + "/" + name;
    struct stat st {};
    if (::stat(full.c_str(), &st) != 0) {
      Error(path, "file not found: " + full);
      return full;
    }
    if (!S_ISREG(st.st_mode)) {
      Error(path, "not a regular file: " + full);
      return full;
    }
    if (private_only && (st.st_mode & 077) != 0) {
      Error(path, "file is accessible by group or others (use mode 0600): " + full);
    }
    return full;
  }

 private:
  std::string base_dir_;
  std::vector<std::string>* errors_;
};

// ReadIssuance reads the top-level profiles:, issuers: and issuance:
// sections into cfg.issuance; needs cfg.pool.keys read first. Problems go
// to |r|. Defined in issuance_config.cc.
void ReadIssuance(Reader& r, const YAML::Node& root, Config& cfg);

// ReadClientIssuance reads a policy client's issue: grants (profile names,
// checked against cfg.issuance.profiles) and allowlist: (checked with
// ValidateAllowlist) at |path| into |client|.
void ReadClientIssuance(Reader& r, const YAML::Node& node, const std::string& path,
                        const Config& cfg, ClientPolicy& client);

}  // namespace pki::signer::config_internal

#endif  // PKI_SIGNER_CONFIG_CONFIG_READER_H_
