#include "ca/sign.h"

#include <cstring>

#include "base/secret.h"
#include "ca/der.h"
#include "ca/parse_cert.h"
#include "crypto/heap.h"
#include "crypto/signature.h"
#include "mbedtls/asn1.h"
#include "mbedtls/asn1write.h"

namespace pki::appliance::ca {
namespace {

constexpr int kSeq = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;

enum class Kind { kCertificate, kCrl };

// ExpectedAlgorithm writes the AlgorithmIdentifier for |alg| into |buf| and
// returns a view of it.
ByteSpan ExpectedAlgorithm(crypto::KeyAlgorithm alg, std::span<uint8_t, 32> buf) {
  internal::DerWriter w(buf);
  internal::WriteSignatureAlgorithm(w, alg);
  StatusOr<size_t> n = w.Finish("algorithm");
  PKI_CHECK(n.ok());
  return ByteSpan(buf.data(), *n);
}

bool Equal(ByteSpan a, ByteSpan b) { return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0; }

// Reads one element (tag included) at *p.
bool TakeElement(unsigned char** p, const unsigned char* end, int tag, ByteSpan* out) {
  const unsigned char* start = *p;
  size_t len = 0;
  if (mbedtls_asn1_get_tag(p, end, &len, tag) != 0) return false;
  *p += len;
  if (out != nullptr) *out = ByteSpan(start, static_cast<size_t>(*p - start));
  return true;
}

bool TakeTime(unsigned char** p, const unsigned char* end) {
  return TakeElement(p, end, MBEDTLS_ASN1_UTC_TIME, nullptr) ||
         TakeElement(p, end, MBEDTLS_ASN1_GENERALIZED_TIME, nullptr);
}

// CheckTbsShape is OK if |tbs| is a TBSCertificate / TBSCertList (one DER
// element, nothing after it) whose signature field is |alg|. Certificates are
// also fully parsed by mbedTLS (with a placeholder signature) in Sign below.
Status CheckTbsShape(Kind kind, ByteSpan tbs, ByteSpan alg) {
  const char* what = kind == Kind::kCertificate ? "TBSCertificate" : "TBSCertList";
  unsigned char* p = const_cast<unsigned char*>(tbs.data());
  const unsigned char* end = tbs.data() + tbs.size();
  size_t len = 0;
  if (mbedtls_asn1_get_tag(&p, end, &len, kSeq) != 0 || p + len != end) {
    return InvalidArgumentError(what).Append(": not one DER SEQUENCE");
  }
  int version = 0;
  if (kind == Kind::kCertificate) {
    if (!TakeElement(&p, end, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0, nullptr) ||
        !TakeElement(&p, end, MBEDTLS_ASN1_INTEGER, nullptr)) {
      return InvalidArgumentError(what).Append(": version or serial missing");
    }
  } else if (mbedtls_asn1_get_int(&p, end, &version) != 0 || version != 1) {
    return InvalidArgumentError(what).Append(": version must be v2");
  }
  ByteSpan inner_alg;
  if (!TakeElement(&p, end, kSeq, &inner_alg) || !Equal(inner_alg, alg)) {
    return InvalidArgumentError(what).Append(": signature algorithm does not match the issuer key");
  }
  if (kind == Kind::kCrl) {
    if (!TakeElement(&p, end, kSeq, nullptr) || !TakeTime(&p, end) || !TakeTime(&p, end)) {
      return InvalidArgumentError(what).Append(": issuer, thisUpdate or nextUpdate malformed");
    }
    if (p < end && *p == kSeq) TakeElement(&p, end, kSeq, nullptr);  // revokedCertificates
    if (p < end && !TakeElement(&p, end, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0, nullptr)) {
      return InvalidArgumentError(what).Append(": crlExtensions malformed");
    }
    if (p != end) return InvalidArgumentError(what).Append(": trailing data");
  }
  return OkStatus();
}

// Assemble writes SEQUENCE { tbs, alg, BIT STRING signature } to the front of |out|.
StatusOr<size_t> Assemble(ByteSpan tbs, ByteSpan alg, ByteSpan signature, MutableByteSpan out) {
  internal::DerWriter w(out);
  const size_t m = w.Mark();
  w.Call([signature](unsigned char** p, unsigned char* start) {
    return mbedtls_asn1_write_bitstring(p, start, signature.data(), signature.size() * 8);
  });
  w.Raw(alg);
  w.Raw(tbs);
  w.Wrap(m, kSeq);
  return w.Finish(tbs.empty() ? "signed" : "certificate/CRL");
}

StatusOr<size_t> SignSigned(Kind kind, crypto::KeyPair& key, crypto::Drbg& drbg, ByteSpan tbs, MutableByteSpan out) {
  crypto::InitPool();
  uint8_t alg_buf[32];
  const ByteSpan alg = ExpectedAlgorithm(key.algorithm(), alg_buf);
  PKI_RETURN_IF_ERROR(CheckTbsShape(kind, tbs, alg));
  if (kind == Kind::kCertificate) {
    // mbedTLS must accept the certificate before the key signs anything:
    // parse it with a placeholder signature (the signature is not checked here).
    const uint8_t placeholder[8] = {};
    PKI_ASSIGN_OR_RETURN(const size_t n, Assemble(tbs, alg, placeholder, out));
    internal::ParsedCert pre;
    Status s = pre.Parse(ByteSpan(out.data(), n));
    SecureZero(out.data(), n);
    if (!s.ok()) return InvalidArgumentError("TBSCertificate: mbedTLS does not accept it: ").Append(s.message());
  }

  const crypto::HashAlg hash = crypto::DefaultHashFor(key.algorithm());
  uint8_t sig[crypto::kMaxSignatureSize];
  PKI_ASSIGN_OR_RETURN(const size_t sig_len, crypto::Sign(key, drbg, hash, tbs, sig));
  PKI_ASSIGN_OR_RETURN(const size_t total, Assemble(tbs, alg, ByteSpan(sig, sig_len), out));

  // Parse back and verify with the issuer's public key before release.
  const ByteSpan result(out.data(), total);
  auto fail = [&](std::string_view why) {
    SecureZero(out.data(), out.size());
    return InternalError("self-check failed, nothing released: ").Append(why);
  };
  StatusOr<internal::SignedParts> parts = internal::SplitSigned(result);
  if (!parts.ok()) return fail(parts.status().message());
  if (!Equal(parts->tbs, tbs) || !Equal(parts->outer_alg, alg)) return fail("assembled fields differ");
  if (kind == Kind::kCertificate) {
    internal::ParsedCert back;
    Status s = back.Parse(result);
    if (!s.ok()) return fail(s.message());
  }
  Status v = crypto::VerifyWithKeyPair(key, hash, parts->tbs, parts->signature);
  if (!v.ok()) return fail("signature does not verify with the issuer key");
  return total;
}

}  // namespace

StatusOr<size_t> SignCertificate(crypto::KeyPair& issuer_key, crypto::Drbg& drbg, ByteSpan tbs,
                                 MutableByteSpan out_cert) {
  return SignSigned(Kind::kCertificate, issuer_key, drbg, tbs, out_cert);
}

StatusOr<size_t> SignCrl(crypto::KeyPair& issuer_key, crypto::Drbg& drbg, ByteSpan tbs, MutableByteSpan out_crl) {
  return SignSigned(Kind::kCrl, issuer_key, drbg, tbs, out_crl);
}

crypto::Sha256Digest TbsDigest(ByteSpan tbs) { return crypto::Sha256(tbs); }

}  // namespace pki::appliance::ca
