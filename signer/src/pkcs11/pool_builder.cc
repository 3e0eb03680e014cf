// pool_builder.cc — CreatePkcs11Pool: validates the configuration, loads the
// modules, logs in to the tokens, finds every key version on every replica
// and checks replicas and chains agree before the pool starts.
#include <algorithm>
#include <ctime>
#include <set>

#include "common/file.h"
#include "common/pem.h"
#include "errors.h"
#include "pool.h"
#include "public_key.h"
#include "signer/pkcs11_pool.h"
#include "uri.h"

namespace pki::signer {
namespace internal {
namespace {

// One token found in one of the modules.
struct SlotEntry {
  Module* module = nullptr;
  CK_SLOT_ID slot = 0;
  CK_SLOT_INFO slot_info{};
  CK_TOKEN_INFO token_info{};
  Token* token = nullptr;  // opened on first use
};

bool Matches(const Pkcs11Uri& uri, const SlotEntry& e) {
  return uri.MatchesModule(e.module->info(), e.module->path()) &&
         uri.MatchesSlot(e.slot, e.slot_info) && uri.MatchesToken(e.token_info);
}

Status ValidateConfig(const PoolConfig& config) {
  if (config.module_paths.empty()) return InvalidArgumentError("pool: no PKCS#11 module configured");
  if (config.sessions_per_token == 0 || config.sessions_per_token > 256) {
    return InvalidArgumentError("pool: sessions_per_token must be 1..256");
  }
  if (config.session_wait.count() <= 0) return InvalidArgumentError("pool: session_wait must be > 0");
  if (config.probe_interval.count() <= 0) {
    return InvalidArgumentError("pool: probe_interval must be > 0");
  }
  if (config.reinit_backoff_max.count() <= 0) {
    return InvalidArgumentError("pool: reinit_backoff_max must be > 0");
  }
  std::set<std::string> names;
  for (const KeyConfig& key : config.keys) {
    if (key.name.empty()) return InvalidArgumentError("pool: a key has no name");
    if (!names.insert(key.name).second) {
      return InvalidArgumentError("pool: key '").Append(key.name).Append("' configured twice");
    }
    if (key.versions.empty()) {
      return InvalidArgumentError("pool: key '").Append(key.name).Append("' has no version");
    }
    std::set<uint32_t> versions;
    for (const KeyVersionConfig& v : key.versions) {
      if (v.version == 0 || !versions.insert(v.version).second) {
        return InvalidArgumentError("pool: key '")
            .Append(key.name)
            .Append("': version numbers must be unique and > 0");
      }
      if (v.replica_uris.empty()) {
        return InvalidArgumentError("pool: key '").Append(key.name).Append("' version ")
            .AppendNumber(v.version).Append(" has no replica URI");
      }
    }
    if (versions.count(key.primary_version) == 0) {
      return InvalidArgumentError("pool: key '").Append(key.name).Append("': primary_version ")
          .AppendNumber(key.primary_version).Append(" is not configured");
    }
  }
  return OkStatus();
}

// ParseUri parses |text| with a message naming where it came from.
StatusOr<Pkcs11Uri> ParseUri(const std::string& where, const std::string& text) {
  StatusOr<Pkcs11Uri> uri = Pkcs11Uri::Parse(text);
  if (!uri.ok()) {
    return Status(uri.status().code(), where).Append(": ").Append(uri.status().message());
  }
  return uri;
}

// Chain checks the PEM chain at |path| against |spki|; fills chain and expiry.
Status LoadChain(const std::string& key_name, const std::string& path, const std::string& spki,
                 KeyVersionInfo* info) {
  PKI_ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  StatusOr<std::vector<OsslPtr<X509>>> certs = ParseCertificates(pem);
  if (!certs.ok()) {
    return InvalidArgumentError("key '").Append(key_name).Append("': chain_file ").Append(path)
        .Append(" holds no certificate");
  }
  std::string leaf_spki;
  {
    EVP_PKEY* pkey = X509_get0_pubkey((*certs)[0].get());
    int n = pkey == nullptr ? 0 : i2d_PUBKEY(pkey, nullptr);
    if (n <= 0) return OsslError(StatusCode::kInvalidArgument, "chain certificate public key");
    leaf_spki.resize(static_cast<size_t>(n));
    auto* p = reinterpret_cast<unsigned char*>(leaf_spki.data());
    i2d_PUBKEY(pkey, &p);
  }
  if (!SameKey(leaf_spki, spki)) {
    return FailedPreconditionError("key '").Append(key_name).Append("': the certificate in ")
        .Append(path).Append(" is for another public key");
  }
  for (auto& cert : *certs) {
    PKI_ASSIGN_OR_RETURN(std::string der, CertificateToDer(*cert));
    info->chain_der.push_back(std::move(der));
  }
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter((*certs)[0].get()), &tm) == 1) {
    info->not_after_unix = static_cast<int64_t>(timegm(&tm));
  }
  return OkStatus();
}

std::string HexOf(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 15]);
  }
  return out;
}

class Builder final {
 public:
  explicit Builder(const PoolConfig& config) : config_(config) {}

  StatusOr<std::unique_ptr<PoolImpl>> Build() {
    PKI_RETURN_IF_ERROR(ValidateConfig(config_));
    for (size_t i = 0; i < config_.logins.size(); ++i) {
      if (config_.logins[i].pin_file.empty()) {
        return InvalidArgumentError("pool: login ").AppendNumber(i).Append(" has no pin_file");
      }
      PKI_ASSIGN_OR_RETURN(Pkcs11Uri uri, ParseUri("pool: login token_uri", config_.logins[i].token_uri));
      if (uri.HasObjectAttributes()) {
        return InvalidArgumentError("pool: login token_uri must name a token, not an object: ")
            .Append(config_.logins[i].token_uri);
      }
      logins_.push_back(std::move(uri));
    }
    for (const std::string& path : config_.module_paths) {
      std::string detail;
      StatusOr<std::shared_ptr<Module>> module = Module::Load(path, &detail);
      if (!module.ok()) return WithDetail(module.status(), detail);
      parts_.modules.push_back(std::move(module).value());
      PKI_RETURN_IF_ERROR(Enumerate(*parts_.modules.back()));
    }
    for (const KeyConfig& key : config_.keys) {
      PoolKey& pool_key = parts_.keys[key.name];
      pool_key.primary_version = key.primary_version;
      for (const KeyVersionConfig& v : key.versions) {
        PKI_ASSIGN_OR_RETURN(std::unique_ptr<KeyVersion> kv, BuildVersion(key, v));
        pool_key.versions[v.version] = std::move(kv);
      }
    }
    parts_.session_wait = config_.session_wait;
    parts_.probe_interval = config_.probe_interval;
    parts_.reinit_backoff_max = config_.reinit_backoff_max;
    return PoolImpl::Start(std::move(parts_));
  }

 private:
  // Status messages stay free of CKR names; the detail is logged here, once,
  // because Create has no out_detail.
  static Status WithDetail(const Status& s, const std::string& detail) {
    if (!detail.empty()) Log("error", detail);
    return s;
  }

  Status Enumerate(Module& module) {
    std::string detail;
    StatusOr<std::vector<CK_SLOT_ID>> slots = module.SlotsWithTokens(&detail);
    if (!slots.ok()) return WithDetail(Status(slots.status().code(), "cannot list slots of ")
                                           .Append(module.path()), detail);
    for (CK_SLOT_ID slot : *slots) {
      SlotEntry e;
      e.module = &module;
      e.slot = slot;
      CK_RV rv = module.fn()->C_GetSlotInfo(slot, &e.slot_info);
      if (rv == CKR_OK) rv = module.fn()->C_GetTokenInfo(slot, &e.token_info);
      if (rv != CKR_OK) {
        Log("warning", RvDetail("skipping a slot of " + module.path(), rv));
        continue;
      }
      if ((e.token_info.flags & CKF_TOKEN_INITIALIZED) == 0) continue;
      slots_.push_back(e);
    }
    return OkStatus();
  }

  StatusOr<Token*> TokenFor(const std::string& uri_text, const Pkcs11Uri& uri) {
    SlotEntry* found = nullptr;
    for (SlotEntry& e : slots_) {
      if (!Matches(uri, e)) continue;
      if (found != nullptr) {
        return InvalidArgumentError("several tokens match ").Append(uri_text)
            .Append(" (add serial= or token=)");
      }
      found = &e;
    }
    if (found == nullptr) return NotFoundError("no token matches ").Append(uri_text);
    if (found->token != nullptr) return found->token;
    const TokenLogin* login = nullptr;
    for (size_t i = 0; i < logins_.size(); ++i) {
      if (Matches(logins_[i], *found)) {
        login = &config_.logins[i];
        break;
      }
    }
    std::string token_uri = TokenUriOf(found->token_info);
    if (login == nullptr) {
      return InvalidArgumentError("no login (pin_file) configured for token ").Append(token_uri);
    }
    std::string detail;
    StatusOr<std::unique_ptr<Token>> token =
        Token::Open(ModuleOf(*found), found->slot, found->token_info, login->pin_file,
                    config_.sessions_per_token, &detail);
    if (!token.ok()) return WithDetail(token.status(), detail);
    found->token = token->get();
    parts_.tokens.push_back(std::move(token).value());
    return found->token;
  }

  std::shared_ptr<Module> ModuleOf(const SlotEntry& e) {
    for (auto& m : parts_.modules) {
      if (m.get() == e.module) return m;
    }
    return nullptr;
  }

  StatusOr<std::unique_ptr<KeyVersion>> BuildVersion(const KeyConfig& key,
                                                     const KeyVersionConfig& v) {
    auto kv = std::make_unique<KeyVersion>();
    kv->info.key_name = key.name;
    kv->info.version = v.version;
    kv->info.purpose = key.purpose;
    std::vector<SignAlgorithm> algorithms;
    std::string first_uri;
    for (size_t r = 0; r < v.replica_uris.size(); ++r) {
      const std::string& text = v.replica_uris[r];
      std::string where = "key '" + key.name + "' v" + std::to_string(v.version);
      PKI_ASSIGN_OR_RETURN(Pkcs11Uri uri, ParseUri(where, text));
      PKI_ASSIGN_OR_RETURN(Token * token, TokenFor(text, uri));
      for (const Replica& other : kv->replicas) {
        if (other.token == token) {
          return InvalidArgumentError(where).Append(": two replicas on one token: ").Append(text);
        }
      }
      std::string detail;
      StatusOr<LocatedKey> located = token->LocateKey(uri, &detail);
      if (!located.ok()) {
        return WithDetail(Status(located.status().code(), where).Append(": ").Append(text)
                              .Append(": ").Append(located.status().message()), detail);
      }
      if (located->extractable || !located->sensitive) {
        if (!v.allow_extractable) {
          return FailedPreconditionError(where).Append(": key is extractable or not sensitive: ")
              .Append(text);
        }
        Log("WARNING", "key '" + key.name + "' v" + std::to_string(v.version) + " at " + text +
                           " is EXTRACTABLE or NOT SENSITIVE: its private key can leave the "
                           "HSM (allowed by allow_extractable)");
      }
      std::vector<SignAlgorithm> can;
      for (SignAlgorithm alg : AlgorithmsFor(located->public_key.kind)) {
        if (token->SupportsMechanism(MechanismFor(alg))) can.push_back(alg);
      }
      if (can.empty()) {
        return FailedPreconditionError(where).Append(": the token offers no signing mechanism for the key: ")
            .Append(text);
      }
      if (r == 0) {
        kv->info.spki_der = located->public_key.spki_der;
        kv->info.key_id_hex = HexOf(located->id);
        algorithms = can;
        first_uri = text;
      } else {
        if (!SameKey(kv->info.spki_der, located->public_key.spki_der)) {
          return FailedPreconditionError(where).Append(": replica ").Append(text)
              .Append(" holds another public key than ").Append(first_uri);
        }
        std::vector<SignAlgorithm> both;
        for (SignAlgorithm a : algorithms) {
          if (std::find(can.begin(), can.end(), a) != can.end()) both.push_back(a);
        }
        algorithms = both;
      }
      kv->replicas.push_back(Replica{token, token->AddKey(uri, *located)});
    }
    kv->info.algorithms = algorithms;
    if (!v.chain_file.empty()) {
      PKI_RETURN_IF_ERROR(LoadChain(key.name, v.chain_file, kv->info.spki_der, &kv->info));
    }
    return kv;
  }

  const PoolConfig& config_;
  std::vector<Pkcs11Uri> logins_;
  std::vector<SlotEntry> slots_;
  PoolParts parts_;
};

}  // namespace
}  // namespace internal

StatusOr<std::unique_ptr<Pkcs11Pool>> CreatePkcs11PoolWithStatus(const PoolConfig& config) {
  internal::Builder builder(config);
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<internal::PoolImpl> pool, builder.Build());
  return std::unique_ptr<Pkcs11Pool>(std::move(pool));
}

StatusOr<std::unique_ptr<KeyPool>> CreatePkcs11Pool(const PoolConfig& config) {
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Pool> pool, CreatePkcs11PoolWithStatus(config));
  return std::unique_ptr<KeyPool>(std::move(pool));
}

}  // namespace pki::signer
