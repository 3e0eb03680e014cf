#include "ca/ca_certificate.h"

#include <cstring>

#include "ca/der.h"
#include "ca/parse_cert.h"
#include "crypto/heap.h"
#include "crypto/signature.h"
#include "mbedtls/asn1.h"
#include "mbedtls/oid.h"
#include "mbedtls/x509_crt.h"

namespace pki::appliance::ca {

StatusOr<CaCertificate> CaCertificate::Parse(ByteSpan der) {
  CaCertificate c;
  PKI_RETURN_IF_ERROR(ParseInto(der, &c));
  return c;
}

Status CaCertificate::ParseInto(ByteSpan der, CaCertificate* out) {
  if (der.size() > kMaxCertificateDer) return InvalidArgumentError("CA certificate: larger than 4096 bytes");
  crypto::InitPool();
  internal::ParsedCert parsed;
  PKI_RETURN_IF_ERROR(parsed.Parse(der));
  const mbedtls_x509_crt& crt = *parsed.get();
  if (crt.version != 3) return InvalidArgumentError("CA certificate: not X.509 v3");
  if ((crt.ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS) == 0 || crt.ca_istrue == 0) {
    return InvalidArgumentError("CA certificate: BasicConstraints CA=true missing");
  }
  if ((crt.ext_types & MBEDTLS_X509_EXT_KEY_USAGE) == 0 || (crt.key_usage & MBEDTLS_X509_KU_KEY_CERT_SIGN) == 0) {
    return InvalidArgumentError("CA certificate: KeyUsage keyCertSign missing");
  }
  if (crt.subject_raw.len > kMaxNameDer || crt.issuer_raw.len > kMaxNameDer) {
    return InvalidArgumentError("CA certificate: name longer than 512 bytes");
  }
  if (crt.pk_raw.len > crypto::kMaxSpkiDer) return InvalidArgumentError("CA certificate: public key too large");
  PKI_ASSIGN_OR_RETURN(const crypto::KeyAlgorithm alg, crypto::internal::ClassifyKey(crt.pk));
  PKI_ASSIGN_OR_RETURN(const crypto::HashAlg sig_hash, internal::HashOfSignature(crt));

  StatusOr<ByteSpan> ski_ext = internal::FindExtension(ByteSpan(crt.v3_ext.p, crt.v3_ext.len),
                                                       MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER);
  if (!ski_ext.ok()) return InvalidArgumentError("CA certificate: SubjectKeyIdentifier missing");
  unsigned char* p = const_cast<unsigned char*>(ski_ext->data());
  const unsigned char* end = p + ski_ext->size();
  size_t ski_len = 0;
  if (mbedtls_asn1_get_tag(&p, end, &ski_len, MBEDTLS_ASN1_OCTET_STRING) != 0 || p + ski_len != end ||
      ski_len == 0 || ski_len > kMaxKeyIdSize) {
    return InvalidArgumentError("CA certificate: SubjectKeyIdentifier malformed");
  }

  // mbedTLS parsed |der| in place (no copy): every field is a slice of it.
  auto slice = [&der](const unsigned char* at, size_t len, Slice* to) {
    if (at < der.data() || len > der.size() || static_cast<size_t>(at - der.data()) > der.size() - len) {
      return false;
    }
    *to = Slice{static_cast<size_t>(at - der.data()), len};
    return true;
  };
  Slice subject, issuer, spki, ski;
  if (!slice(crt.subject_raw.p, crt.subject_raw.len, &subject) ||
      !slice(crt.issuer_raw.p, crt.issuer_raw.len, &issuer) ||
      !slice(crt.pk_raw.p, crt.pk_raw.len, &spki) || !slice(p, ski_len, &ski)) {
    return InternalError("CA certificate: a parsed field lies outside the DER");
  }
  CaCertificate& c = *out;
  std::memmove(c.der_.data(), der.data(), der.size());
  c.der_size_ = der.size();
  c.subject_ = subject;
  c.issuer_ = issuer;
  c.spki_ = spki;
  c.ski_ = ski;
  c.not_before_ = internal::UnixFromX509Time(crt.valid_from);
  c.not_after_ = internal::UnixFromX509Time(crt.valid_to);
  c.key_alg_ = alg;
  c.sig_hash_ = sig_hash;
  // mbedTLS stores pathLenConstraint + 1, and 0 when absent.
  c.path_len_ = crt.max_pathlen > 0 ? crt.max_pathlen - 1 : -1;
  return OkStatus();
}

Status CaCertificate::ParseInPlace(size_t size) {
  if (size > der_.size()) return InvalidArgumentError("CA certificate: larger than 4096 bytes");
  Status s = ParseInto(ByteSpan(der_.data(), size), this);
  if (!s.ok()) Clear();
  return s;
}

Status CaCertificate::VerifySelfSigned() const {
  const ByteSpan subject = subject_der(), issuer = issuer_der();
  if (subject.size() != issuer.size() ||
      std::memcmp(subject.data(), issuer.data(), subject.size()) != 0) {
    return PermissionDeniedError("CA certificate: not self-issued (issuer != subject)");
  }
  PKI_ASSIGN_OR_RETURN(const internal::SignedParts parts, internal::SplitSigned(der()));
  PKI_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::FromSpki(spki_der()));
  Status s = crypto::Verify(key, sig_hash_, parts.tbs, parts.signature);
  if (!s.ok()) return PermissionDeniedError("CA certificate: self-signature does not verify");
  return OkStatus();
}

Status CaCertificate::MatchesKey(const crypto::KeyPair& key) const {
  uint8_t spki[crypto::kMaxSpkiDer];
  PKI_ASSIGN_OR_RETURN(const size_t n, key.WriteSpki(spki));
  const ByteSpan mine = spki_der();
  if (n != mine.size() || std::memcmp(spki, mine.data(), n) != 0) {
    return FailedPreconditionError("key does not match certificate");
  }
  return OkStatus();
}

}  // namespace pki::appliance::ca
