// policy_holder.h — the current Policy, swappable at runtime (SIGHUP).
#ifndef PKI_SIGNER_SERVER_POLICY_HOLDER_H_
#define PKI_SIGNER_SERVER_POLICY_HOLDER_H_

#include <memory>
#include <mutex>

#include "policy/policy.h"

namespace pki::signer {

class PolicyHolder final {
 public:
  explicit PolicyHolder(std::shared_ptr<const Policy> policy) : policy_(std::move(policy)) {}

  // Get returns the current policy; a request keeps using the one it got
  // even if a reload swaps it meanwhile (shared ownership).
  std::shared_ptr<const Policy> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return policy_;
  }
  // Set replaces the policy for requests that start from now on.
  void Set(std::shared_ptr<const Policy> policy) {
    std::lock_guard<std::mutex> lock(mu_);
    policy_ = std::move(policy);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Policy> policy_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_POLICY_HOLDER_H_
