// mbedtls_config.h — the root appliance's one mbedTLS 2.28 configuration.
//
// Selected with -DMBEDTLS_CONFIG_FILE="mbedtls_config.h" (third_party/
// mbedtls.cmake) for the host simulator and the boards alike. Only what the
// appliance uses is on; every line says why. Not here on purpose: TLS, the
// filesystem (MBEDTLS_FS_IO), OS entropy, OS time (MBEDTLS_HAVE_TIME: dates
// are passed in explicitly), PEM (the host converts), SHA-1/MD5, PSA, threads.
#ifndef PKI_APPLIANCE_MBEDTLS_CONFIG_H_
#define PKI_APPLIANCE_MBEDTLS_CONFIG_H_

// ---- System support ---------------------------------------------------------
#define MBEDTLS_HAVE_ASM                 // bignum inline assembly (x86-64, Arm Thumb-2): ~2x faster signing
#define MBEDTLS_NO_PLATFORM_ENTROPY      // no /dev/urandom or getrandom: entropy comes only from hw::EntropySource
#define MBEDTLS_DEPRECATED_REMOVED       // no deprecated APIs can creep in
#define MBEDTLS_PLATFORM_C               // platform layer: needed for the calloc/free hooks below
#define MBEDTLS_PLATFORM_MEMORY          // calloc/free are swappable: pointed at the static pool
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C    // the one fixed static pool all mbedTLS allocation comes from (crypto/heap.cc)
#define MBEDTLS_MEMORY_DEBUG             // pool keeps current/peak use counters (the peak-use test and figures need them)
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 8  // 8-byte blocks: uint64 limbs on the host, doubles nowhere

// ---- Big numbers and public-key crypto ---------------------------------------
#define MBEDTLS_BIGNUM_C                 // RSA and ECP arithmetic
#define MBEDTLS_MPI_MAX_SIZE 512         // 4096-bit RSA is the largest key we make or accept (default 1024 wastes stack)
#define MBEDTLS_GENPRIME                 // RSA-3072/4096 key generation
#define MBEDTLS_RSA_C                    // RSA root/intermediate keys
#define MBEDTLS_PKCS1_V15                // sha256/384WithRSAEncryption signatures (PSS is not offered)
#define MBEDTLS_ECP_C                    // elliptic curves for ECDSA
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED // P-256 keys (accepted in CSRs; optional root key)
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED // P-384: the default root key
#define MBEDTLS_ECP_NIST_OPTIM           // fast NIST-prime reduction for both curves
#define MBEDTLS_ECP_WINDOW_SIZE 4        // comb window: 4 keeps pool use moderate at good speed
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 1  // precomputed base-point tables (read-only data, faster signing)
#define MBEDTLS_ECDSA_C                  // ECDSA sign/verify
#define MBEDTLS_ECDSA_DETERMINISTIC      // RFC 6979 nonces: a weak DRBG cannot leak the root key; DRBG still blinds
#define MBEDTLS_HMAC_DRBG_C              // required by RFC 6979 deterministic ECDSA
#define MBEDTLS_PK_C                     // one key type for RSA and EC
#define MBEDTLS_PK_PARSE_C               // parse SPKI (CSRs, certs) and our sealed private keys (DER)
#define MBEDTLS_PK_WRITE_C               // export SPKI and private keys (DER) for sealing
#define MBEDTLS_PK_PARSE_EC_EXTENDED     // accept CSRs whose EC key has explicit curve parameters, then check the curve

// ---- Hashes, MACs, ciphers, KDFs -------------------------------------------
#define MBEDTLS_MD_C                     // generic digest layer (HMAC, PBKDF2, HKDF, pk sign/verify)
#define MBEDTLS_SHA256_C                 // SHA-256: signatures, SKI, journal hashing, HMAC, PBKDF2
#define MBEDTLS_SHA512_C                 // SHA-384/512: P-384 signatures, entropy accumulator
#define MBEDTLS_AES_C                    // AES-256 for GCM sealing and CTR_DRBG
#define MBEDTLS_AES_ROM_TABLES           // AES tables in flash, not RAM
#define MBEDTLS_CIPHER_C                 // generic cipher layer GCM is built on
#define MBEDTLS_GCM_C                    // AES-256-GCM sealing of shares and keys
#define MBEDTLS_PKCS5_C                  // PBKDF2-HMAC-SHA256 passphrase KDF
#define MBEDTLS_HKDF_C                   // HKDF-SHA256 key separation (custody wrapping keys)

// ---- Random numbers ----------------------------------------------------------
#define MBEDTLS_ENTROPY_C                // entropy accumulator fed by the HAL source (mbedtls_entropy_add_source)
#define MBEDTLS_ENTROPY_MAX_SOURCES 2    // one HAL source; no platform sources
#define MBEDTLS_CTR_DRBG_C               // NIST SP 800-90A CTR_DRBG (AES-256): serials, keys, blinding, nonces

// ---- ASN.1 and X.509 ---------------------------------------------------------
#define MBEDTLS_ASN1_PARSE_C             // read CSRs, certificates, CRLs, keys
#define MBEDTLS_ASN1_WRITE_C             // write TBS certificates and CRLs ourselves (see ca/der_writer.h)
#define MBEDTLS_OID_C                    // OID tables for algorithms and names
#define MBEDTLS_X509_USE_C               // common X.509 parsing
#define MBEDTLS_X509_CRT_PARSE_C         // parse back every certificate we issue before release; read the root
#define MBEDTLS_X509_CSR_PARSE_C         // parse PKCS#10 CSRs from the online side
#define MBEDTLS_X509_CRL_PARSE_C         // parse back every CRL we issue before release
#define MBEDTLS_X509_CREATE_C            // DN string -> Name DER (mbedtls_x509_string_to_names)
// MBEDTLS_X509_CRT_WRITE_C is off on purpose: mbedtls_x509write_crt puts a NULL
// parameter into ECDSA AlgorithmIdentifiers (RFC 5758 forbids it) and cannot
// return the TBS for preview, so ca/ assembles TBSCertificate itself.

#include "mbedtls/check_config.h"

#endif  // PKI_APPLIANCE_MBEDTLS_CONFIG_H_
