#include "policy/policy.h"

#include <algorithm>

namespace pki::signer {

StatusOr<std::unique_ptr<Policy>> Policy::Create(const PolicyConfig& config,
                                                 const std::vector<KeyConfig>& keys,
                                                 const std::vector<Profile>& profiles) {
  std::vector<std::string> profile_names;
  for (const Profile& p : profiles) profile_names.push_back(p.name);
  std::map<std::string, KeyPurpose> purposes;
  for (const KeyConfig& k : keys) purposes[k.name] = k.purpose;
  for (const ClientPolicy& c : config.clients) {
    if (c.identity.empty()) {
      return InvalidArgumentError("policy: client '").Append(c.name).Append("' has no identity");
    }
    for (const std::string& name : c.issue_profiles) {
      if (std::find(profile_names.begin(), profile_names.end(), name) == profile_names.end()) {
        return InvalidArgumentError("policy: client '").Append(c.name).Append("' may issue under unknown profile '")
            .Append(name).Append("'");
      }
    }
    if (Status s = ValidateAllowlist(c.allowlist); !s.ok()) {
      return InvalidArgumentError("policy: client '").Append(c.name).Append("': ").Append(s.message());
    }
    for (const KeyGrant& g : c.keys) {
      auto it = purposes.find(g.key);
      if (it == purposes.end()) {
        return InvalidArgumentError("policy: client '").Append(c.name).Append("' names unknown key '")
            .Append(g.key).Append("'");
      }
      if (g.sign && it->second == KeyPurpose::kCertificateIssuance) {
        return InvalidArgumentError("policy: client '").Append(c.name)
            .Append("' may not sign raw with certificate-issuance key '").Append(g.key).Append("'");
      }
    }
  }
  return std::unique_ptr<Policy>(new Policy(config, std::move(purposes), std::move(profile_names)));
}

Policy::Policy(PolicyConfig config, std::map<std::string, KeyPurpose> purposes,
               std::vector<std::string> profile_names)
    : config_(std::move(config)),
      purposes_(purposes.begin(), purposes.end()),
      profile_names_(std::move(profile_names)) {
  for (const ClientPolicy& c : config_.clients) {
    buckets_.push_back(std::make_unique<TokenBucket>(c.requests_per_second, c.burst));
  }
}

StatusOr<const ClientPolicy*> Policy::Identify(const PeerIdentity& peer) const {
  for (const ClientPolicy& c : config_.clients) {
    const std::vector<std::string>* names = nullptr;
    switch (c.kind) {
      case IdentityKind::kUriSan:
        names = &peer.uri_sans;
        break;
      case IdentityKind::kDnsSan:
        names = &peer.dns_sans;
        break;
      case IdentityKind::kSubject:
        if (!peer.subject.empty() && peer.subject == c.identity) return &c;
        continue;
    }
    if (std::find(names->begin(), names->end(), c.identity) != names->end()) return &c;
  }
  return PermissionDeniedError("client not authorized");
}

const KeyGrant* Policy::Grant(const ClientPolicy& client, std::string_view key_name) const {
  for (const KeyGrant& g : client.keys) {
    if (g.key == key_name) return &g;
  }
  return nullptr;
}

Status Policy::Authorize(const ClientPolicy& client, std::string_view key_name, Operation op) const {
  auto purpose = purposes_.find(key_name);
  const KeyGrant* grant = Grant(client, key_name);
  if (purpose == purposes_.end() || grant == nullptr) return NotFoundError(kKeyNotFoundMessage);
  switch (op) {
    case Operation::kSign:
      // Checked apart from the grant: an issuing key never signs raw data.
      if (purpose->second == KeyPurpose::kCertificateIssuance) {
        return PermissionDeniedError("key is a certificate-issuance key: use IssueCertificate");
      }
      if (!grant->sign) return PermissionDeniedError("caller may not sign with this key");
      return OkStatus();
    case Operation::kGetPublicKey:
      if (!grant->get_public_key) return PermissionDeniedError("caller may not read this public key");
      return OkStatus();
  }
  return PermissionDeniedError("operation not allowed");
}

Status Policy::AuthorizeIssue(const ClientPolicy& client, std::string_view profile) const {
  if (std::find(profile_names_.begin(), profile_names_.end(), profile) == profile_names_.end()) {
    return NotFoundError(kProfileNotFoundMessage);
  }
  if (std::find(client.issue_profiles.begin(), client.issue_profiles.end(), profile) ==
      client.issue_profiles.end()) {
    return PermissionDeniedError("caller may not issue under profile '").Append(profile).Append("'");
  }
  return OkStatus();
}

Status Policy::Admit(const ClientPolicy& client, std::chrono::steady_clock::time_point now,
                     std::chrono::milliseconds* out_retry_after) const {
  const auto index = static_cast<size_t>(&client - config_.clients.data());
  PKI_CHECK(index < buckets_.size());
  if (!buckets_[index]->Take(now, out_retry_after)) {
    return ResourceExhaustedError("rate limit exceeded for this client");
  }
  return OkStatus();
}

}  // namespace pki::signer
