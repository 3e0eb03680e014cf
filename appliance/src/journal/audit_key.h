// audit_key.h — the device audit key, seen by the journal as two small
// interfaces (injected, so the journal is tested with any signer), and the
// adapters onto crypto/ (mbedTLS) that the appliance and host verifier use.
#ifndef PKI_APPLIANCE_JOURNAL_AUDIT_KEY_H_
#define PKI_APPLIANCE_JOURNAL_AUDIT_KEY_H_

#include <cstddef>
#include <optional>
#include <utility>

#include "base/bytes.h"
#include "base/status_or.h"
#include "crypto/digest.h"
#include "crypto/drbg.h"
#include "crypto/keypair.h"
#include "crypto/signature.h"

namespace pki::appliance::journal {

class AuditSigner {
 public:
  virtual ~AuditSigner() = default;
  // Sign signs |message| (borrowed) and writes the signature to the front of
  // |out|, returning its length. OUT_OF_RANGE if |out| is too small;
  // UNAVAILABLE/INTERNAL if the key or its randomness failed.
  virtual StatusOr<size_t> Sign(ByteSpan message, MutableByteSpan out) = 0;
};

class AuditVerifier {
 public:
  virtual ~AuditVerifier() = default;
  // Verify returns OK if |signature| is the audit key's over |message|;
  // PERMISSION_DENIED otherwise.
  [[nodiscard]] virtual Status Verify(ByteSpan message, ByteSpan signature) const = 0;
};

// CryptoAuditSigner signs with an appliance KeyPair (ECDSA; see
// kMaxAuditSignatureSize) and the hash crypto pairs with it. Borrows |key|
// and |drbg|; both must outlive it.
class CryptoAuditSigner final : public AuditSigner {
 public:
  CryptoAuditSigner(crypto::KeyPair& key, crypto::Drbg& drbg)
      : key_(key), drbg_(drbg), hash_(crypto::DefaultHashFor(key.algorithm())) {}
  StatusOr<size_t> Sign(ByteSpan message, MutableByteSpan out) override;

 private:
  crypto::KeyPair& key_;
  crypto::Drbg& drbg_;
  crypto::HashAlg hash_;
};

// CryptoAuditVerifier verifies with the audit public key given as DER
// SubjectPublicKeyInfo.
class CryptoAuditVerifier final : public AuditVerifier {
 public:
  // Create parses |spki_der| (borrowed) into |out|. INVALID_ARGUMENT if it is
  // not a key crypto/ accepts.
  [[nodiscard]] static Status Create(ByteSpan spki_der, std::optional<CryptoAuditVerifier>& out);
  explicit CryptoAuditVerifier(crypto::PublicKey key)  // use Create
      : key_(std::move(key)), hash_(crypto::DefaultHashFor(key_.algorithm())) {}
  [[nodiscard]] Status Verify(ByteSpan message, ByteSpan signature) const override;

 private:
  crypto::PublicKey key_;
  crypto::HashAlg hash_;
};

}  // namespace pki::appliance::journal

#endif  // PKI_APPLIANCE_JOURNAL_AUDIT_KEY_H_
