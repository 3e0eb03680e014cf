#include "crypto/heap.h"

#include <cstdint>

#include "mbedtls/memory_buffer_alloc.h"

namespace pki::appliance::crypto {
namespace {

// The pool itself: static storage, aligned for mbedTLS's block headers.
alignas(16) unsigned char g_pool[kPoolSize];
bool g_pool_ready = false;

}  // namespace

void InitPool() {
  if (g_pool_ready) return;
  mbedtls_memory_buffer_alloc_init(g_pool, sizeof(g_pool));
  g_pool_ready = true;
}

PoolUsage GetPoolUsage() {
  InitPool();
  PoolUsage usage;
  usage.capacity = kPoolSize;
  mbedtls_memory_buffer_alloc_cur_get(&usage.current_bytes, &usage.current_blocks);
  mbedtls_memory_buffer_alloc_max_get(&usage.peak_bytes, &usage.peak_blocks);
  if (usage.peak_bytes < usage.current_bytes) usage.peak_bytes = usage.current_bytes;
  if (usage.peak_blocks < usage.current_blocks) usage.peak_blocks = usage.current_blocks;
  return usage;
}

void ResetPoolPeak() {
  InitPool();
  mbedtls_memory_buffer_alloc_max_reset();
}

Status CheckPool() {
  InitPool();
  if (mbedtls_memory_buffer_alloc_verify() != 0) return DataLossError("mbedTLS pool headers corrupt");
  return OkStatus();
}

}  // namespace pki::appliance::crypto
