// ram_config.h — per-build RAM sizes of the appliance core. One code base;
// only these numbers differ between builds. Override any of them with -D.
//
// Measured peaks (docs/firmware.md, the "op:" lines fw_appliance prints):
// the mbedTLS pool's high-water mark including block headers is 12.3 KiB
// (Init: EC P-384 key generation + root), every other EC operation less.
// RSA-4096 key generation needs ~40 KiB (docs/appliance-crypto.md).
#ifndef PKI_APPLIANCE_RAM_CONFIG_H_
#define PKI_APPLIANCE_RAM_CONFIG_H_

// PKI_CRYPTO_POOL_BYTES: the static pool every mbedTLS allocation comes
// from. Bare-metal board builds (EC roots; RSA is refused there with
// RESOURCE_EXHAUSTED when the pool runs out) get 16 KiB, hosted builds
// (appliance-sim, aarch64 Linux) keep 48 KiB for RSA-4096.
#ifndef PKI_CRYPTO_POOL_BYTES
#if defined(__arm__) && !defined(__linux__)
#define PKI_CRYPTO_POOL_BYTES (16 * 1024)
#else
#define PKI_CRYPTO_POOL_BYTES (48 * 1024)
#endif
#endif

#endif  // PKI_APPLIANCE_RAM_CONFIG_H_
