#include "journal/audit_key.h"

#include "crypto/signature.h"

namespace pki::appliance::journal {

StatusOr<size_t> CryptoAuditSigner::Sign(ByteSpan message, MutableByteSpan out) {
  return crypto::Sign(key_, drbg_, hash_, message, out);
}

Status CryptoAuditVerifier::Create(ByteSpan spki_der, std::optional<CryptoAuditVerifier>& out) {
  out.reset();
  PKI_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::FromSpki(spki_der));
  out.emplace(std::move(key));
  return OkStatus();
}

Status CryptoAuditVerifier::Verify(ByteSpan message, ByteSpan signature) const {
  return crypto::Verify(key_, hash_, message, signature);
}

}  // namespace pki::appliance::journal
