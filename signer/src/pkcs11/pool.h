// pool.h — the PKCS#11 pool at run time: keys, their replicas, request
// routing with retries across replicas, and the health thread that probes
// tokens and re-initializes failed ones with backoff.
#ifndef PKI_SIGNER_SRC_PKCS11_POOL_H_
#define PKI_SIGNER_SRC_PKCS11_POOL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "module.h"
#include "signer/pkcs11_pool.h"
#include "token.h"

namespace pki::signer::internal {

struct Replica {
  Token* token = nullptr;  // owned by PoolParts::tokens
  size_t key_index = 0;    // the key's index on that token
};

struct KeyVersion {
  KeyVersionInfo info;  // health fields are filled when read
  std::vector<Replica> replicas;
  std::atomic<uint32_t> round_robin{0};
};

struct PoolKey {
  uint32_t primary_version = 0;
  std::map<uint32_t, std::unique_ptr<KeyVersion>> versions;
};

// What the builder hands to the pool.
struct PoolParts {
  std::vector<std::shared_ptr<Module>> modules;
  std::vector<std::unique_ptr<Token>> tokens;
  std::map<std::string, PoolKey, std::less<>> keys;
  std::chrono::milliseconds session_wait{2000};
  std::chrono::milliseconds probe_interval{5000};
  std::chrono::milliseconds reinit_backoff_max{30000};
};

class PoolImpl final : public Pkcs11Pool {
 public:
  // Start takes |parts| and starts the health thread. Returns a new pool.
  static std::unique_ptr<PoolImpl> Start(PoolParts parts);
  // Stops the health thread, then the tokens' workers, then the modules.
  ~PoolImpl() override;

  StatusOr<SignResult> Sign(std::string_view name, uint32_t version, SignAlgorithm alg,
                            ByteSpan input, std::chrono::milliseconds deadline,
                            std::string* out_detail) override;
  StatusOr<KeyVersionInfo> Describe(std::string_view name, uint32_t version) override;
  std::vector<KeyVersionInfo> List() override;
  StatusOr<std::vector<ReplicaInfo>> Replicas(std::string_view name, uint32_t version) override;
  std::vector<TokenStatus> Tokens() override;

 private:
  explicit PoolImpl(PoolParts parts) : parts_(std::move(parts)) {}
  StatusOr<KeyVersion*> Find(std::string_view name, uint32_t version);
  // PickReplica returns the least-busy healthy replica not yet tried (round
  // robin among equals), or -1.
  int PickReplica(KeyVersion& kv, const std::vector<uint8_t>& tried);
  KeyVersionInfo InfoOf(const KeyVersion& kv) const;
  void HealthLoop();

  PoolParts parts_;
  std::mutex health_mu_;
  std::condition_variable health_cv_;
  bool stop_ = false;
  std::thread health_;
};

// Log writes one line to stderr, prefixed "signer-pkcs11: ". Never pass a secret.
void Log(std::string_view level, std::string_view message);

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_SRC_PKCS11_POOL_H_
