// heap.h — the one fixed static pool every mbedTLS allocation comes from.
//
// The appliance has no heap of its own: mbedTLS's calloc/free are pointed at
// a static array (MBEDTLS_MEMORY_BUFFER_ALLOC_C) by InitPool(). Every crypto/
// and ca/ entry point calls InitPool() itself, so callers never have to; it is
// idempotent. The pool is process-wide by nature (mbedTLS's allocator is a C
// global); nothing else in crypto/ is global.
#ifndef PKI_APPLIANCE_CRYPTO_HEAP_H_
#define PKI_APPLIANCE_CRYPTO_HEAP_H_

#include <cstddef>

#include "base/status.h"
#include "ram_config.h"  // appliance/config/: per-build sizes

namespace pki::appliance::crypto {

// Size of the static pool in bytes. Sized from the measured peaks (see
// docs/appliance-crypto.md): RSA-4096 key generation is the largest user;
// boards run EC only and get less (appliance/config/ram_config.h).
inline constexpr size_t kPoolSize = PKI_CRYPTO_POOL_BYTES;

struct PoolUsage {
  size_t capacity = 0;        // kPoolSize
  size_t current_bytes = 0;   // bytes allocated now (payload, without headers)
  size_t current_blocks = 0;  // live allocations now
  size_t peak_bytes = 0;      // highest current_bytes since the last ResetPoolPeak()
  size_t peak_blocks = 0;     // highest current_blocks since the last ResetPoolPeak()
  // Each block also costs a header in the pool (kBlockHeaderBytes); the pool
  // bytes really consumed at the peak are about peak_bytes + peak_blocks * header.
};

// Bytes of bookkeeping mbedTLS's buffer allocator adds to every block
// (8 machine words, MBEDTLS_MEMORY_DEBUG included).
inline constexpr size_t kBlockHeaderBytes = 8 * sizeof(void*);

// InitPool points mbedTLS's calloc/free at the static pool. Idempotent; never
// fails (the pool is static).
void InitPool();

// GetPoolUsage returns the pool's current and peak use. Never fails.
PoolUsage GetPoolUsage();

// ResetPoolPeak forgets the peak, so the next GetPoolUsage() reports the
// peak of what ran since (never less than the current use).
void ResetPoolPeak();

// CheckPool walks the pool's block headers; DATA_LOSS if any is corrupt (a
// heap overflow inside mbedTLS), OK otherwise.
Status CheckPool();

}  // namespace pki::appliance::crypto

#endif  // PKI_APPLIANCE_CRYPTO_HEAP_H_
