#include "ca/csr.h"

#include <cstring>

#include "crypto/heap.h"
#include "crypto/mbedtls_status.h"
#include "mbedtls/rsa.h"
#include "mbedtls/x509_csr.h"

namespace pki::appliance::ca {
namespace {

class CsrContext final {
 public:
  CsrContext() { mbedtls_x509_csr_init(&csr_); }
  ~CsrContext() { mbedtls_x509_csr_free(&csr_); }
  CsrContext(const CsrContext&) = delete;
  CsrContext& operator=(const CsrContext&) = delete;
  mbedtls_x509_csr* get() { return &csr_; }

 private:
  mbedtls_x509_csr csr_;
};

Status ApplyKeyPolicy(const mbedtls_pk_context& pk, crypto::KeyAlgorithm alg, const KeyPolicy& policy) {
  switch (alg) {
    case crypto::KeyAlgorithm::kEcP256:
      if (!policy.allow_ec_p256) return InvalidArgumentError("key policy: EC P-256 keys are not allowed");
      return OkStatus();
    case crypto::KeyAlgorithm::kEcP384:
      if (!policy.allow_ec_p384) return InvalidArgumentError("key policy: EC P-384 keys are not allowed");
      return OkStatus();
    case crypto::KeyAlgorithm::kRsa2048:
    case crypto::KeyAlgorithm::kRsa3072:
    case crypto::KeyAlgorithm::kRsa4096: {
      if (!policy.allow_rsa) return InvalidArgumentError("key policy: RSA keys are not allowed");
      const size_t bits = mbedtls_pk_get_bitlen(&pk);
      if (bits < policy.min_rsa_bits) {
        return InvalidArgumentError("key policy: RSA key of ")
            .AppendNumber(bits)
            .Append(" bits is below the minimum of ")
            .AppendNumber(policy.min_rsa_bits);
      }
      mbedtls_mpi e;
      mbedtls_mpi_init(&e);
      int ret = mbedtls_rsa_export(mbedtls_pk_rsa(pk), nullptr, nullptr, nullptr, nullptr, &e);
      const bool f4 = ret == 0 && mbedtls_mpi_cmp_int(&e, 65537) == 0;
      mbedtls_mpi_free(&e);
      if (!f4) return InvalidArgumentError("key policy: RSA public exponent must be 65537");
      return OkStatus();
    }
  }
  return InvalidArgumentError("key policy: unknown key algorithm");
}

}  // namespace

StatusOr<CheckedCsr> CheckedCsr::Parse(ByteSpan der, const KeyPolicy& policy) {
  CheckedCsr out;
  PKI_RETURN_IF_ERROR(ParseInto(der, policy, &out));
  return out;
}

Status CheckedCsr::ParseInto(ByteSpan der, const KeyPolicy& policy, CheckedCsr* out) {
  out->subject_size_ = out->spki_size_ = 0;  // empty until every check passed
  if (der.empty() || der.size() > kMaxCsrDer) return InvalidArgumentError("CSR: empty or larger than 4096 bytes");
  crypto::InitPool();
  CsrContext ctx;
  mbedtls_x509_csr& csr = *ctx.get();
  int ret = mbedtls_x509_csr_parse_der(&csr, der.data(), der.size());
  if (ret != 0) {
    return crypto::internal::MbedtlsStatus(ret, StatusCode::kInvalidArgument,
                                           "CSR: does not parse as DER PKCS#10");
  }
  if (csr.version != 1) return InvalidArgumentError("CSR: version must be 1 (v1)");
  PKI_ASSIGN_OR_RETURN(const crypto::KeyAlgorithm alg, crypto::internal::ClassifyKey(csr.pk));

  // Proof of possession: the request is signed by the key it carries.
  crypto::HashAlg hash;
  switch (csr.sig_md) {
    case MBEDTLS_MD_SHA256: hash = crypto::HashAlg::kSha256; break;
    case MBEDTLS_MD_SHA384: hash = crypto::HashAlg::kSha384; break;
    case MBEDTLS_MD_SHA512: hash = crypto::HashAlg::kSha512; break;
    default: return InvalidArgumentError("CSR: signature hash must be SHA-256, SHA-384 or SHA-512");
  }
  uint8_t digest[crypto::kMaxDigestSize];
  PKI_ASSIGN_OR_RETURN(const size_t dlen, crypto::Digest(hash, ByteSpan(csr.cri.p, csr.cri.len), digest));
  ret = mbedtls_pk_verify_ext(csr.sig_pk, csr.sig_opts, &csr.pk, csr.sig_md, digest, dlen, csr.sig.p, csr.sig.len);
  if (ret != 0) return InvalidArgumentError("CSR: signature does not verify (proof of possession failed)");

  PKI_RETURN_IF_ERROR(ApplyKeyPolicy(csr.pk, alg, policy));

  // Only the DN is taken; CA subjects must not be empty (RFC 5280 4.1.2.6).
  if (csr.subject_raw.len <= 2 || csr.subject.oid.p == nullptr) {
    return InvalidArgumentError("CSR: subject DN is empty");
  }
  if (csr.subject_raw.len > kMaxNameDer) return InvalidArgumentError("CSR: subject DN longer than 512 bytes");
  // mbedTLS writes the SPKI at the end of the buffer: move it to the front.
  ret = mbedtls_pk_write_pubkey_der(&csr.pk, out->spki_.data(), out->spki_.size());
  if (ret < 0) {
    out->spki_size_ = 0;
    return crypto::internal::MbedtlsStatus(ret, StatusCode::kInternal, "CSR: key re-encoding failed");
  }
  out->spki_size_ = static_cast<size_t>(ret);
  std::memmove(out->spki_.data(), out->spki_.data() + out->spki_.size() - out->spki_size_, out->spki_size_);
  std::memcpy(out->subject_.data(), csr.subject_raw.p, csr.subject_raw.len);
  out->subject_size_ = csr.subject_raw.len;
  out->key_alg_ = alg;
  return OkStatus();
}

}  // namespace pki::appliance::ca
