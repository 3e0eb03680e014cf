// key_pool.h — what the signer's API layer needs from the HSM pool.
//
// The server (signer/src/server) talks only to this interface; the PKCS#11
// pool (signer/src/pkcs11) implements it. A key is named by its configured
// alias and version; where it lives (tokens, replicas, handles) stays behind
// this line.
#ifndef PKI_SIGNER_KEY_POOL_H_
#define PKI_SIGNER_KEY_POOL_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::signer {

// Signature algorithms, as in proto/signer/v1/signer.proto's Algorithm.
enum class SignAlgorithm : uint8_t {
  kUnspecified = 0,
  kEcdsaP256Sha256 = 1,
  kEcdsaP384Sha384 = 2,
  kRsaPkcs1Sha256 = 3,
  kRsaPkcs1Sha384 = 4,
  kRsaPkcs1Sha512 = 5,
  kRsaPssSha256 = 6,
  kRsaPssSha384 = 7,
  kRsaPssSha512 = 8,
  kEd25519 = 9,
};

// DigestLength returns the digest length |alg| signs (32/48/64), or 0 for a
// pure scheme (Ed25519) that signs the message itself.
size_t DigestLength(SignAlgorithm alg);
// AlgorithmName returns a stable lower-case name ("ecdsa-p256-sha256").
const char* AlgorithmName(SignAlgorithm alg);

enum class KeyPurpose : uint8_t { kArtifactSigning = 1, kCertificateIssuance = 2 };

enum class KeyHealth : uint8_t { kEnabled = 1, kDegraded = 2, kUnavailable = 3 };

// What may be said about a key version: no secret, safe to log and return.
struct KeyVersionInfo {
  std::string key_name;
  uint32_t version = 0;
  KeyPurpose purpose = KeyPurpose::kArtifactSigning;
  std::vector<SignAlgorithm> algorithms;  // what the key can do
  std::string spki_der;                   // SubjectPublicKeyInfo
  std::vector<std::string> chain_der;     // certificate first; empty if none configured
  std::string key_id_hex;                 // CKA_ID of the key, for audit
  int64_t not_after_unix = 0;             // from the certificate; 0 if none
  KeyHealth health = KeyHealth::kEnabled;
  uint32_t replicas_total = 0;
  uint32_t replicas_healthy = 0;
};

// One replica of a key version, as an operator may see it (signerctl
// status): which token holds it and whether that token is in rotation.
struct ReplicaInfo {
  std::string token_uri;  // "pkcs11:...;token=<label>"
  bool in_rotation = false;
};

// What an operator may see about one token (HSM partition) behind the pool
// (signerctl status, metrics). No secret in it.
struct TokenStatus {
  std::string uri;          // "pkcs11:model=...;manufacturer=...;serial=...;token=..."
  std::string module_path;  // the module that serves it
  uint64_t slot_id = 0;
  bool healthy = false;           // in rotation
  int64_t since_unix = 0;         // when it entered its current state (pool start, left or rejoined rotation)
  std::string reason;             // out of rotation: class of the failure that took it out
                                  // (device|login|session|timeout|other); "" in rotation
  uint32_t sessions_max = 0;      // PoolConfig::sessions_per_token
  uint32_t sessions_open = 0;     // sessions currently open on the token
  uint32_t queued = 0;            // requests waiting for a session now
  uint64_t signatures = 0;        // successful signatures since start
  uint64_t failures = 0;          // failed PKCS#11 calls since start
  uint64_t reinitializations = 0; // times the token was re-initialized
  std::string last_error;         // last failure, with its CKR_ name; "" if none
};

struct SignResult {
  std::string signature;  // DER ECDSA-Sig-Value for ECDSA; raw for RSA and Ed25519
  uint32_t version = 0;   // the version that signed
  std::string replica;    // which token served it (for the audit log only)
};

class KeyPool {
 public:
  virtual ~KeyPool() = default;

  // Sign signs |input| with |version| (0: primary) of key |name|. |input| is
  // a digest of DigestLength(alg) bytes, or the message for Ed25519.
  // Errors: NOT_FOUND (no such key/version), INVALID_ARGUMENT (algorithm the
  // key can't do, wrong digest length), UNAVAILABLE (no replica could serve:
  // retry later), DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED (no session free in
  // time). Messages never carry PKCS#11 return codes; those go to |out_detail|
  // when it is non-null, for the audit log.
  virtual StatusOr<SignResult> Sign(std::string_view name, uint32_t version, SignAlgorithm alg,
                                    ByteSpan input, std::chrono::milliseconds deadline,
                                    std::string* out_detail) = 0;

  // Describe returns |version| (0: primary) of key |name|; NOT_FOUND if absent.
  virtual StatusOr<KeyVersionInfo> Describe(std::string_view name, uint32_t version) = 0;

  // List returns every configured key version, with current health.
  virtual std::vector<KeyVersionInfo> List() = 0;

  // Replicas returns the replicas of |version| (0: primary) of key |name|,
  // in configuration order; NOT_FOUND if absent. Read-only, for status
  // pages. The default is an empty list: a pool that does not say.
  virtual StatusOr<std::vector<ReplicaInfo>> Replicas(std::string_view /*name*/, uint32_t /*version*/) {
    return std::vector<ReplicaInfo>{};
  }

  // Tokens returns the status of every token the pool uses, in a stable
  // order. Read-only, for status pages and metrics. The default is an empty
  // list: a pool without tokens to report.
  virtual std::vector<TokenStatus> Tokens() { return {}; }
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_KEY_POOL_H_
