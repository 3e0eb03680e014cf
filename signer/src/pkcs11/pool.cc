// pool.cc — interim: the factory's link symbol while the pool is written.
#include "signer/pkcs11_pool.h"

namespace pki::signer {

StatusOr<std::unique_ptr<Pkcs11Pool>> CreatePkcs11PoolWithStatus(const PoolConfig&) {
  return UnimplementedError("PKCS#11 pool not built yet");
}

StatusOr<std::unique_ptr<KeyPool>> CreatePkcs11Pool(const PoolConfig& config) {
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Pool> pool, CreatePkcs11PoolWithStatus(config));
  return std::unique_ptr<KeyPool>(std::move(pool));
}

}  // namespace pki::signer
