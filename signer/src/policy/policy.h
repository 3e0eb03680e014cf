// policy.h — who may do what with which key, and how often.
//
// A Policy is built from the config's policy section and the key list. The
// server asks it, per request: which configured client is this verified peer
// (Identify), may that client do this operation on this key (Authorize), and
// is the client within its rate (Admit). Decisions never leak the existence
// of a key the caller may not see: NOT_FOUND with one message for "no such
// key" and "not yours". A certificate-issuance key is never reachable through
// raw Sign, whatever the grants say (checked here and in the config loader).
#ifndef PKI_SIGNER_POLICY_POLICY_H_
#define PKI_SIGNER_POLICY_POLICY_H_

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status_or.h"
#include "config/config.h"
#include "policy/rate_limiter.h"
#include "signer/pool_config.h"

namespace pki::signer {

// What the verified TLS client certificate says about its holder.
struct PeerIdentity {
  std::vector<std::string> uri_sans;  // e.g. "spiffe://example.org/ci"
  std::vector<std::string> dns_sans;
  std::string subject;  // RFC 2253, most specific first: "CN=ci,O=Example"
};

enum class Operation : uint8_t { kSign = 1, kGetPublicKey = 2 };

// The message of every NOT_FOUND about a key: the same whether the key does
// not exist or the caller may not see it.
inline constexpr std::string_view kKeyNotFoundMessage = "key not found";
// The message of NOT_FOUND for a certificate profile nobody configured.
inline constexpr std::string_view kProfileNotFoundMessage = "profile not found";

class Policy final {
 public:
  // Create builds a policy from |config| and |keys| (both borrowed; copied).
  // INVALID_ARGUMENT if a grant names an unknown key or grants sign on a
  // certificate-issuance key, an issue grant names a profile not in
  // |profiles| (borrowed; only names are kept), or a client's name allowlist
  // fails ValidateAllowlist. Returns a new Policy the caller owns.
  static StatusOr<std::unique_ptr<Policy>> Create(const PolicyConfig& config,
                                                  const std::vector<KeyConfig>& keys,
                                                  const std::vector<Profile>& profiles = {});

  // Identify returns the configured client |peer| is (a pointer into this
  // Policy, valid while it lives), matching in config order; a client whose
  // URI SAN, DNS SAN or subject equals one of |peer|'s matches.
  // PERMISSION_DENIED "client not authorized" if none does.
  StatusOr<const ClientPolicy*> Identify(const PeerIdentity& peer) const;

  // Authorize checks |client| may do |op| on key |key_name|. NOT_FOUND
  // (kKeyNotFoundMessage) if the key does not exist or |client| has no grant
  // on it; PERMISSION_DENIED if the key is visible to |client| but |op| is not
  // granted, or |op| is Sign on a certificate-issuance key.
  Status Authorize(const ClientPolicy& client, std::string_view key_name, Operation op) const;

  // AuthorizeIssue checks |client| may issue under profile |profile|.
  // NOT_FOUND (kProfileNotFoundMessage) if no such profile is configured;
  // PERMISSION_DENIED naming the profile if it exists but is not granted.
  Status AuthorizeIssue(const ClientPolicy& client, std::string_view profile) const;

  // Grant returns |client|'s grant on |key_name|, or null if it has none.
  const KeyGrant* Grant(const ClientPolicy& client, std::string_view key_name) const;

  // Admit takes one request from |client|'s token bucket at time |now|.
  // RESOURCE_EXHAUSTED if it is empty; then |out_retry_after| (non-null) says
  // when one token will be there.
  Status Admit(const ClientPolicy& client, std::chrono::steady_clock::time_point now,
               std::chrono::milliseconds* out_retry_after) const;

  const PolicyConfig& config() const { return config_; }

 private:
  Policy(PolicyConfig config, std::map<std::string, KeyPurpose> purposes,
         std::vector<std::string> profile_names);

  PolicyConfig config_;
  std::map<std::string, KeyPurpose, std::less<>> purposes_;
  std::vector<std::string> profile_names_;
  // One bucket per client (by index into config_.clients); buckets lock themselves.
  std::vector<std::unique_ptr<TokenBucket>> buckets_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_POLICY_POLICY_H_
