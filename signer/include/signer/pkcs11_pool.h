// pkcs11_pool.h — the PKCS#11 HSM pool behind KeyPool.
//
// CreatePkcs11Pool loads the PKCS#11 modules named in a PoolConfig, logs in to
// every token a key lives on (PINs read from the configured files, never
// kept longer than the login call), finds every configured key version on
// every replica, checks that the replicas hold the same public key (and that a
// configured chain's certificate matches it), and returns a pool that signs
// with bounded waits, spreads load across replicas, takes failing tokens out
// of rotation, re-initializes them in the background and lets them rejoin
// after a successful probe signature. Nothing here is SoftHSM-specific.
//
// Sign's |deadline| bounds the whole request (all retries); 0 or negative
// means 10 s. A request waits at most PoolConfig::session_wait for a session
// (then RESOURCE_EXHAUSTED); a call still running at the deadline is
// abandoned (DEADLINE_EXCEEDED) and its token taken out of rotation.
// Each token runs sessions_per_token worker threads, each owning a session.
// Do not fork after creating a pool.
//
// Link target: pki::signer_pkcs11.
#ifndef PKI_SIGNER_PKCS11_POOL_H_
#define PKI_SIGNER_PKCS11_POOL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status_or.h"
#include "signer/key_pool.h"
#include "signer/pool_config.h"

namespace pki::signer {

// A KeyPool that always reports on its tokens (TokenStatus is in key_pool.h).
class Pkcs11Pool : public KeyPool {
 public:
  ~Pkcs11Pool() override = default;

  // Tokens returns the status of every token the pool uses, in a stable order.
  std::vector<TokenStatus> Tokens() override = 0;
};

// CreatePkcs11Pool builds the pool from |config| (borrowed for the call; the
// pool keeps copies of what it needs). Returns a new pool the caller owns.
// Errors name what was wrong and where: INVALID_ARGUMENT for a bad config
// (malformed URI, secret in a URI, unknown attribute, duplicate key name),
// NOT_FOUND for a module, token or key that is missing (with the URI),
// FAILED_PRECONDITION for replicas or a chain that disagree on the public key,
// or for an extractable/non-sensitive key without allow_extractable,
// PERMISSION_DENIED for a PIN file readable by others, UNAVAILABLE for a
// module or token that fails to initialize or log in.
StatusOr<std::unique_ptr<KeyPool>> CreatePkcs11Pool(const PoolConfig& config);

// CreatePkcs11PoolWithStatus is CreatePkcs11Pool returning the richer type
// (for signerctl status and metrics). Same errors and ownership.
StatusOr<std::unique_ptr<Pkcs11Pool>> CreatePkcs11PoolWithStatus(const PoolConfig& config);

}  // namespace pki::signer

#endif  // PKI_SIGNER_PKCS11_POOL_H_
