// test_csr.h — builds PKCS#10 requests for ca/ unit tests (test-only; the
// appliance never makes CSRs). Uses the same DER writer and signer as the
// CA code, so a test can make a good request and then break one field.
#ifndef PKI_APPLIANCE_CA_TEST_CSR_H_
#define PKI_APPLIANCE_CA_TEST_CSR_H_

#if PKI_PRODUCTION_BUILD
#error "test_csr.h is test-only"
#endif

#include <string_view>
#include <vector>

#include "ca/der.h"
#include "crypto/signature.h"
#include "mbedtls/asn1.h"
#include "mbedtls/asn1write.h"

namespace pki::appliance::ca::testing {

// MakeCsr returns a DER CertificationRequest for |subject| signed by |key|
// (ECDSA/RSA with the key's default hash); an empty vector on failure.
inline std::vector<uint8_t> MakeCsr(crypto::KeyPair& key, crypto::Drbg& drbg, std::string_view subject) {
  constexpr uint8_t kSeq = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
  std::vector<uint8_t> cri_buf(2048);
  internal::DerWriter cri(cri_buf);
  const size_t m = cri.Mark();
  cri.Wrap(cri.Mark(), MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0);  // attributes: none
  uint8_t spki[crypto::kMaxSpkiDer];
  StatusOr<size_t> spki_len = key.WriteSpki(spki);
  if (!spki_len.ok()) return {};
  cri.Raw(ByteSpan(spki, *spki_len));
  uint8_t name[512];
  StatusOr<size_t> name_len = internal::NameFromString(subject, name);
  if (!name_len.ok()) return {};
  cri.Raw(ByteSpan(name, *name_len));
  cri.SmallInt(0);
  cri.Wrap(m, kSeq);
  StatusOr<size_t> cri_len = cri.Finish("CRI");
  if (!cri_len.ok()) return {};
  const ByteSpan info(cri_buf.data(), *cri_len);

  uint8_t sig[crypto::kMaxSignatureSize];
  StatusOr<size_t> sig_len = crypto::Sign(key, drbg, crypto::DefaultHashFor(key.algorithm()), info, sig);
  if (!sig_len.ok()) return {};
  std::vector<uint8_t> out(4096);
  internal::DerWriter w(out);
  const size_t all = w.Mark();
  const ByteSpan s(sig, *sig_len);
  w.Call([s](unsigned char** p, unsigned char* start) {
    return mbedtls_asn1_write_bitstring(p, start, s.data(), s.size() * 8);
  });
  internal::WriteSignatureAlgorithm(w, key.algorithm());
  w.Raw(info);
  w.Wrap(all, kSeq);
  StatusOr<size_t> n = w.Finish("CSR");
  if (!n.ok()) return {};
  out.resize(*n);
  return out;
}

}  // namespace pki::appliance::ca::testing

#endif  // PKI_APPLIANCE_CA_TEST_CSR_H_
