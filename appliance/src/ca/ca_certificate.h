// ca_certificate.h — a parsed CA certificate (the root, an old root in a
// rollover) with what issuing under it needs: subject Name DER, SKI, validity,
// SPKI and key algorithm. Plain data: the DER in a fixed array and where each
// field lies in it (no pool use after Parse).
#ifndef PKI_APPLIANCE_CA_CA_CERTIFICATE_H_
#define PKI_APPLIANCE_CA_CA_CERTIFICATE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"
#include "crypto/digest.h"
#include "crypto/keypair.h"

namespace pki::appliance::ca {

inline constexpr size_t kMaxNameDer = 512;
inline constexpr size_t kMaxKeyIdSize = 32;
inline constexpr size_t kMaxCertificateDer = 4096;

class CaCertificate final {
 public:
  // Parse reads a DER certificate (borrowed for the call) that must be a v3
  // CA certificate of ours: BasicConstraints CA=true, KeyUsage with
  // keyCertSign, a SubjectKeyIdentifier, a key of a supported algorithm.
  // INVALID_ARGUMENT naming what is wrong. Its signature is NOT checked here
  // (see VerifySelfSigned).
  static StatusOr<CaCertificate> Parse(ByteSpan der);

  // ParseInto is Parse writing into |out| in place (no ~5.7 KB temporaries on
  // the stack; the appliance keeps its working copies in static RAM). On
  // error |out| is left as it was.
  [[nodiscard]] static Status ParseInto(ByteSpan der, CaCertificate* out);

  // An empty certificate (all views empty) for ParseInto to fill.
  CaCertificate() = default;

  // der_buffer is this object's own DER room (kMaxCertificateDer bytes): read
  // a certificate straight into it and ParseInPlace the first |size| bytes,
  // with no second copy of the DER. On error the certificate is empty.
  MutableByteSpan der_buffer() { return MutableByteSpan(der_.data(), der_.size()); }
  [[nodiscard]] Status ParseInPlace(size_t size);

  // VerifySelfSigned checks that the certificate is self-issued and that its
  // signature verifies with its own key (mbedtls_x509_crt_verify skips this
  // for trust anchors). PERMISSION_DENIED if it does not verify.
  [[nodiscard]] Status VerifySelfSigned() const;

  // MatchesKey is OK if |key|'s public half is this certificate's key;
  // FAILED_PRECONDITION "key does not match certificate" otherwise.
  [[nodiscard]] Status MatchesKey(const crypto::KeyPair& key) const;

  // Views borrow this object.
  ByteSpan der() const { return ByteSpan(der_.data(), der_size_); }
  ByteSpan subject_der() const { return Part(subject_); }
  ByteSpan issuer_der() const { return Part(issuer_); }
  ByteSpan spki_der() const { return Part(spki_); }
  ByteSpan subject_key_id() const { return Part(ski_); }
  int64_t not_before() const { return not_before_; }
  int64_t not_after() const { return not_after_; }
  crypto::KeyAlgorithm key_algorithm() const { return key_alg_; }
  // path_len is the BasicConstraints pathLenConstraint, or -1 if absent.
  int path_len() const { return path_len_; }

 private:
  // Where a field lies in der_ (the subject and issuer Names, the SPKI and
  // the SKI's value are verbatim slices of the certificate DER): offsets,
  // not copies, so a copy of the object stays valid.
  struct Slice {
    size_t offset = 0;
    size_t size = 0;
  };
  ByteSpan Part(Slice s) const { return ByteSpan(der_.data() + s.offset, s.size); }
  void Clear() {
    der_size_ = 0;
    subject_ = issuer_ = spki_ = ski_ = Slice{};
  }

  std::array<uint8_t, kMaxCertificateDer> der_{};
  size_t der_size_ = 0;
  Slice subject_, issuer_, spki_, ski_;
  int64_t not_before_ = 0, not_after_ = 0;
  crypto::KeyAlgorithm key_alg_ = crypto::KeyAlgorithm::kEcP384;
  int path_len_ = -1;
  crypto::HashAlg sig_hash_ = crypto::HashAlg::kSha384;
};

}  // namespace pki::appliance::ca

#endif  // PKI_APPLIANCE_CA_CA_CERTIFICATE_H_
