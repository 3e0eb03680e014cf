// csr.h — PKCS#10 requests from the online side: parse, check the signature
// (proof of possession) and the key against a KeyPolicy.
#ifndef PKI_APPLIANCE_CA_CSR_H_
#define PKI_APPLIANCE_CA_CSR_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"
#include "ca/ca_certificate.h"
#include "crypto/keypair.h"

namespace pki::appliance::ca {

// KeyPolicy: which subject keys a profile accepts. RSA keys must have
// e = 65537 and a size of 2048, 3072 or 4096 bits; EC keys must be on an
// allowed curve with the point on the curve.
struct KeyPolicy {
  bool allow_rsa = true;
  uint32_t min_rsa_bits = 3072;  // 2048 or 3072 (or 4096)
  bool allow_ec_p256 = true;
  bool allow_ec_p384 = true;
};

inline constexpr size_t kMaxCsrDer = 4096;

class CheckedCsr final {
 public:
  // Parse reads a DER PKCS#10 request (borrowed for the call), verifies its
  // self-signature with its own key and applies |policy| to the key.
  // INVALID_ARGUMENT naming the failed rule ("CSR: does not parse",
  // "CSR: signature does not verify (proof of possession)", "key policy: RSA
  // exponent must be 65537", ...). Only the subject DN and the key are kept:
  // requested extensions are ignored.
  static StatusOr<CheckedCsr> Parse(ByteSpan der, const KeyPolicy& policy);
  // ParseInto is Parse writing into |out| in place (no ~1.1 KiB temporaries
  // on the stack). On error |out| is empty.
  [[nodiscard]] static Status ParseInto(ByteSpan der, const KeyPolicy& policy, CheckedCsr* out);

  // An empty CSR (empty views) for ParseInto to fill.
  CheckedCsr() = default;

  ByteSpan subject_der() const { return ByteSpan(subject_.data(), subject_size_); }
  ByteSpan spki_der() const { return ByteSpan(spki_.data(), spki_size_); }
  crypto::KeyAlgorithm key_algorithm() const { return key_alg_; }

 private:
  std::array<uint8_t, kMaxNameDer> subject_{};
  std::array<uint8_t, crypto::kMaxSpkiDer> spki_{};
  size_t subject_size_ = 0, spki_size_ = 0;
  crypto::KeyAlgorithm key_alg_ = crypto::KeyAlgorithm::kEcP384;
};

}  // namespace pki::appliance::ca

#endif  // PKI_APPLIANCE_CA_CSR_H_
