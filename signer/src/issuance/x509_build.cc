// x509_build.cc — see x509_build.h.
#include "x509_build.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace pki::signer::internal {
namespace {

std::string DerLength(size_t n) {
  if (n < 0x80) return std::string(1, static_cast<char>(n));
  std::string bytes;
  for (size_t v = n; v != 0; v >>= 8) bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
  return std::string(1, static_cast<char>(0x80 | bytes.size())) + bytes;
}

std::string Tlv(uint8_t tag, std::string_view content) {
  return std::string(1, static_cast<char>(tag)) + DerLength(content.size()) + std::string(content);
}

std::string CurveOf(EVP_PKEY& key) {
  char curve[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve), &len) != 1) {
    return "";
  }
  return std::string(curve, len);
}

}  // namespace

std::string HexLower(std::string_view data) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * data.size());
  for (char c : data) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

std::string Sha256(std::string_view data) {
  std::string md(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(md.data()));
  return md;
}

const EVP_MD* DigestFor(SignAlgorithm alg) {
  switch (alg) {
    case SignAlgorithm::kEcdsaP256Sha256:
    case SignAlgorithm::kRsaPkcs1Sha256:
      return EVP_sha256();
    case SignAlgorithm::kEcdsaP384Sha384:
    case SignAlgorithm::kRsaPkcs1Sha384:
      return EVP_sha384();
    case SignAlgorithm::kRsaPkcs1Sha512:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

Status IssuerKeyFits(SignAlgorithm alg, EVP_PKEY& key) {
  const int id = EVP_PKEY_get_base_id(&key);
  switch (alg) {
    case SignAlgorithm::kEcdsaP256Sha256:
      if (id == EVP_PKEY_EC && (CurveOf(key) == "prime256v1" || CurveOf(key) == "P-256")) return OkStatus();
      break;
    case SignAlgorithm::kEcdsaP384Sha384:
      if (id == EVP_PKEY_EC && (CurveOf(key) == "secp384r1" || CurveOf(key) == "P-384")) return OkStatus();
      break;
    case SignAlgorithm::kRsaPkcs1Sha256:
    case SignAlgorithm::kRsaPkcs1Sha384:
    case SignAlgorithm::kRsaPkcs1Sha512:
      if (id == EVP_PKEY_RSA) return OkStatus();
      break;
    case SignAlgorithm::kEd25519:
      if (id == EVP_PKEY_ED25519) return OkStatus();
      break;
    default:
      return InvalidArgumentError("issuer signature algorithm not supported for certificates: ")
          .Append(AlgorithmName(alg));
  }
  return InvalidArgumentError("issuer certificate's key cannot make ").Append(AlgorithmName(alg))
      .Append(" signatures");
}

StatusOr<OsslPtr<EVP_PKEY>> NewThrowawayKey(SignAlgorithm alg) {
  OsslPtr<EVP_PKEY> key;
  switch (alg) {
    // EVP_EC_gen() casts away const in a macro (clang's -Wcast-qual): call
    // EVP_PKEY_Q_keygen with writable curve names instead.
    case SignAlgorithm::kEcdsaP256Sha256: {
      char curve[] = "P-256";
      key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
      break;
    }
    case SignAlgorithm::kEcdsaP384Sha384: {
      char curve[] = "P-384";
      key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
      break;
    }
    case SignAlgorithm::kRsaPkcs1Sha256:
    case SignAlgorithm::kRsaPkcs1Sha384:
    case SignAlgorithm::kRsaPkcs1Sha512: key.reset(EVP_RSA_gen(2048)); break;
    case SignAlgorithm::kEd25519: key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); break;
    default: return InvalidArgumentError("no throwaway key for ").Append(AlgorithmName(alg));
  }
  if (!key) return OsslError(StatusCode::kInternal, "throwaway key generation");
  return key;
}

StatusOr<std::string> TbsDer(X509& cert) {
  unsigned char* der = nullptr;
  const int len = i2d_re_X509_tbs(&cert, &der);
  if (len <= 0) return OsslError(StatusCode::kInternal, "encoding the TBSCertificate");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string AssembleCertificate(std::string_view tbs_der, std::string_view alg_der,
                                std::string_view signature) {
  std::string bits(1, '\0');  // no unused bits
  bits.append(signature);
  std::string body(tbs_der);
  body.append(alg_der);
  body.append(Tlv(0x03, bits));
  return Tlv(0x30, body);
}

StatusOr<OsslPtr<X509>> ParseDerCertificate(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  OsslPtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    OpenSslErrors();
    return InvalidArgumentError("certificate does not parse as one DER certificate");
  }
  return cert;
}

StatusOr<int64_t> AsnTimeToUnix(const ASN1_TIME& t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(&t, &tm) != 1) return InvalidArgumentError("unreadable certificate time");
  return static_cast<int64_t>(timegm(&tm));
}

StatusOr<OsslPtr<X509_EXTENSION>> NewExtension(X509V3_CTX& ctx, int nid, const std::string& value) {
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext) return OsslError(StatusCode::kInternal, "building extension");
  return ext;
}

}  // namespace pki::signer::internal
