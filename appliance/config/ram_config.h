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

// PKI_LINK_OLDER_RESPONSES / PKI_LINK_OLDER_RESPONSE_BYTES: besides the last
// response frame (full size), the link's response cache keeps this many
// earlier answers of at most this many bytes each (status, share, execute,
// abort, begin-operation answers fit; large ones such as Init's shares or
// result chunks do not and are not kept), so a retry of an earlier request
// id still gets its answer (docs/appliance-link.md). 3 x 384 B of static RAM.
#ifndef PKI_LINK_OLDER_RESPONSES
#define PKI_LINK_OLDER_RESPONSES 3
#endif
#ifndef PKI_LINK_OLDER_RESPONSE_BYTES
#define PKI_LINK_OLDER_RESPONSE_BYTES 384
#endif

#endif  // PKI_APPLIANCE_RAM_CONFIG_H_
