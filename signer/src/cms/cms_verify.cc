// cms_verify.cc — VerifyDetachedCms: chain, signature over the signed
// attributes, contentType and messageDigest against a digest (the content
// itself is never needed).
#include <openssl/cms.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "common/ossl.h"
#include "common/pem.h"
#include "signer/cms.h"
#include "x509_build.h"

namespace pki::signer {
namespace {

Status NotVerified(std::string_view why) {
  OpenSslErrors();
  return PermissionDeniedError("CMS does not verify: ").Append(why);
}

struct CertStackDeleter {
  void operator()(STACK_OF(X509)* s) const { sk_X509_pop_free(s, X509_free); }
};

}  // namespace

StatusOr<CmsVerified> VerifyDetachedCms(std::string_view cms_der, ByteSpan content_digest,
                                        const std::vector<std::string>& trusted_roots_der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(cms_der.data());
  OsslPtr<CMS_ContentInfo> cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_der.size())));
  if (!cms || p != reinterpret_cast<const unsigned char*>(cms_der.data()) + cms_der.size()) {
    OpenSslErrors();
    return InvalidArgumentError("CMS does not parse as one DER ContentInfo");
  }
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    return InvalidArgumentError("CMS is not SignedData");
  }
  if (CMS_is_detached(cms.get()) != 1) return InvalidArgumentError("CMS is not detached");
  STACK_OF(CMS_SignerInfo)* sis = CMS_get0_SignerInfos(cms.get());
  if (sis == nullptr || sk_CMS_SignerInfo_num(sis) != 1) return InvalidArgumentError("CMS must have one SignerInfo");
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(sis, 0);

  // Signer certificate from the certificates inside.
  std::unique_ptr<STACK_OF(X509), CertStackDeleter> certs(CMS_get1_certs(cms.get()));
  if (!certs || CMS_set1_signers_certs(cms.get(), nullptr, 0) < 1) {
    return NotVerified("signer certificate not found in the CMS");
  }
  X509* signer = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, &signer, nullptr, nullptr);
  if (signer == nullptr) return NotVerified("signer certificate not found in the CMS");

  // Chain to a trusted root.
  OsslPtr<X509_STORE> store(X509_STORE_new());
  for (const std::string& der : trusted_roots_der) {
    StatusOr<OsslPtr<X509>> root = internal::ParseDerCertificate(der);
    if (!root.ok()) return InvalidArgumentError("a trusted root does not parse");
    if (X509_STORE_add_cert(store.get(), root->get()) != 1) return OsslError(StatusCode::kInternal, "trust store");
  }
  OsslPtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), signer, certs.get()) != 1) {
    return OsslError(StatusCode::kInternal, "chain context");
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    return NotVerified(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  }

  // A code-signing certificate (OpenSSL 3.0 has no code-signing purpose).
  if ((X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) == 0 ||
      (X509_get_extended_key_usage(signer) & XKU_CODE_SIGN) == 0) {
    return NotVerified("signer certificate lacks the codeSigning extended key usage");
  }

  // Signature over the signed attributes.
  if (CMS_SignerInfo_verify(si) != 1) return NotVerified("signature over the signed attributes");

  // contentType and messageDigest.
  auto* ctype = static_cast<ASN1_OBJECT*>(CMS_signed_get0_data_by_OBJ(
      si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT));
  if (ctype == nullptr || OBJ_obj2nid(ctype) != NID_pkcs7_data) return NotVerified("contentType is not id-data");
  auto* md = static_cast<ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
      si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  X509_ALGOR* dig_alg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig_alg, nullptr);
  const ASN1_OBJECT* dig_obj = nullptr;
  if (dig_alg != nullptr) X509_ALGOR_get0(&dig_obj, nullptr, nullptr, dig_alg);
  const EVP_MD* evp_md = dig_obj != nullptr ? EVP_get_digestbyobj(dig_obj) : nullptr;
  if (evp_md == nullptr || static_cast<size_t>(EVP_MD_get_size(evp_md)) != content_digest.size()) {
    return NotVerified("digest algorithm does not match the digest given");
  }
  if (md == nullptr || static_cast<size_t>(ASN1_STRING_length(md)) != content_digest.size() ||
      CRYPTO_memcmp(ASN1_STRING_get0_data(md), content_digest.data(), content_digest.size()) != 0) {
    return NotVerified("messageDigest differs from the content's digest");
  }

  CmsVerified out;
  PKI_ASSIGN_OR_RETURN(std::string der, CertificateToDer(*signer));
  out.signer_cert_der = std::move(der);
  auto* st = static_cast<ASN1_TIME*>(CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_signingTime), -3,
                                                                  V_ASN1_UTCTIME));
  if (st == nullptr) {
    st = static_cast<ASN1_TIME*>(CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_signingTime), -3,
                                                             V_ASN1_GENERALIZEDTIME));
  }
  if (st != nullptr) {
    StatusOr<int64_t> t = internal::AsnTimeToUnix(*st);
    if (t.ok()) out.signing_time_unix = *t;
  }
  OpenSslErrors();
  return out;
}

}  // namespace pki::signer
