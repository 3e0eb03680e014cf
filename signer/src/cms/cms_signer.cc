// cms_signer.cc — SignDetachedCms: OpenSSL builds the SignedData around the
// certificate's public key (CMS_PARTIAL: OpenSSL never signs), we add the
// signed attributes, DER-encode them as the SET OF the signature covers,
// sign that remotely and set the signature value.
#include <openssl/cms.h>
#include <openssl/evp.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <vector>

#include "common/ossl.h"
#include "signer/cms.h"
#include "x509_build.h"

namespace pki::signer {
namespace {

std::string DerSetOf(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());  // DER: SET OF sorted by encoding
  std::string body;
  for (const std::string& i : items) body += i;
  std::string len;
  if (body.size() < 0x80) {
    len.push_back(static_cast<char>(body.size()));
  } else {
    for (size_t v = body.size(); v != 0; v >>= 8) len.insert(len.begin(), static_cast<char>(v & 0xff));
    len.insert(len.begin(), static_cast<char>(0x80 | len.size()));
  }
  return std::string(1, '\x31') + len + body;
}

}  // namespace

StatusOr<std::string> SignDetachedCms(const CmsSignRequest& request, const RawSignFn& sign) {
  const SignAlgorithm alg = request.algorithm;
  if (alg == SignAlgorithm::kEd25519 || alg == SignAlgorithm::kRsaPssSha256 ||
      alg == SignAlgorithm::kRsaPssSha384 || alg == SignAlgorithm::kRsaPssSha512) {
    return UnimplementedError("CMS signing supports ECDSA and RSA PKCS#1 v1.5 only");
  }
  const EVP_MD* md = internal::DigestFor(alg);
  if (md == nullptr) return InvalidArgumentError("CMS: unsupported algorithm");
  if (request.content_digest.size() != static_cast<size_t>(EVP_MD_get_size(md))) {
    return InvalidArgumentError("CMS: content digest length does not match ").Append(AlgorithmName(alg));
  }
  StatusOr<OsslPtr<X509>> cert = internal::ParseDerCertificate(request.signer_cert_der);
  if (!cert.ok()) return InvalidArgumentError("CMS: signer certificate does not parse");
  EVP_PKEY* pub = X509_get0_pubkey(cert->get());
  if (pub == nullptr) return InvalidArgumentError("CMS: signer certificate has no usable key");
  PKI_RETURN_IF_ERROR(internal::IssuerKeyFits(alg, *pub));
  std::vector<OsslPtr<X509>> chain;
  for (const std::string& der : request.chain_der) {
    StatusOr<OsslPtr<X509>> c = internal::ParseDerCertificate(der);
    if (!c.ok()) return InvalidArgumentError("CMS: a chain certificate does not parse");
    chain.push_back(std::move(c).value());
  }

  constexpr unsigned int kFlags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY;
  OsslPtr<CMS_ContentInfo> cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, kFlags));
  if (!cms) return OsslError(StatusCode::kInternal, "CMS_sign");
  // The public key passes CMS_add1_signer's key/certificate match (it
  // compares public parts); with CMS_PARTIAL nothing is signed with it.
  CMS_SignerInfo* si = CMS_add1_signer(cms.get(), cert->get(), pub, md, kFlags | CMS_NOSMIMECAP);
  if (si == nullptr) return OsslError(StatusCode::kInternal, "CMS_add1_signer");
  for (OsslPtr<X509>& c : chain) {
    if (CMS_add1_cert(cms.get(), c.get()) != 1) return OsslError(StatusCode::kInternal, "CMS_add1_cert");
  }

  // Signed attributes: contentType, messageDigest, signingTime.
  const time_t when = request.signing_time_unix != 0 ? static_cast<time_t>(request.signing_time_unix) : std::time(nullptr);
  OsslPtr<ASN1_STRING> signing_time(ASN1_TIME_set(nullptr, when));
  if (!signing_time ||
      CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
      CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                  request.content_digest.data(), static_cast<int>(request.content_digest.size())) != 1 ||
      CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, ASN1_STRING_type(signing_time.get()),
                                  signing_time.get(), -1) != 1) {
    return OsslError(StatusCode::kInternal, "CMS signed attributes");
  }
  std::vector<std::string> attrs;
  for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &der);
    if (len <= 0) return OsslError(StatusCode::kInternal, "encoding a signed attribute");
    attrs.emplace_back(reinterpret_cast<char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
  }
  const std::string signed_attrs = DerSetOf(std::move(attrs));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(signed_attrs.data(), signed_attrs.size(), digest, &digest_len, md, nullptr) != 1) {
    return OsslError(StatusCode::kInternal, "digest of the signed attributes");
  }
  PKI_ASSIGN_OR_RETURN(std::string signature, sign(alg, ByteSpan(digest, digest_len)));

  // Check the remote signature before it goes anywhere.
  OsslPtr<EVP_MD_CTX> vctx(EVP_MD_CTX_new());
  if (!vctx || EVP_DigestVerifyInit(vctx.get(), nullptr, md, nullptr, pub) != 1 ||
      EVP_DigestVerify(vctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(signed_attrs.data()), signed_attrs.size()) != 1) {
    OpenSslErrors();
    return InternalError("CMS: the remote signature does not verify under the signer certificate; not released");
  }
  if (ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), signature.data(), static_cast<int>(signature.size())) != 1) {
    return OsslError(StatusCode::kInternal, "setting the CMS signature");
  }
  unsigned char* out = nullptr;
  const int out_len = i2d_CMS_ContentInfo(cms.get(), &out);
  if (out_len <= 0) return OsslError(StatusCode::kInternal, "encoding the CMS");
  std::string result(reinterpret_cast<char*>(out), static_cast<size_t>(out_len));
  OPENSSL_free(out);
  // The verifier re-encodes the attributes: prove the signed bytes survive.
  OsslPtr<CMS_ContentInfo> back;
  {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(result.data());
    back.reset(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(result.size())));
  }
  STACK_OF(CMS_SignerInfo)* sis = back ? CMS_get0_SignerInfos(back.get()) : nullptr;
  CMS_SignerInfo* bsi = (sis != nullptr && sk_CMS_SignerInfo_num(sis) == 1) ? sk_CMS_SignerInfo_value(sis, 0) : nullptr;
  if (bsi != nullptr) CMS_SignerInfo_set1_signer_cert(bsi, cert->get());
  if (bsi == nullptr || CMS_SignerInfo_verify(bsi) != 1) {
    OpenSslErrors();
    return InternalError("CMS: encoded SignedData does not verify; not released");
  }
  return result;
}

}  // namespace pki::signer
