// ossl.h — RAII for OpenSSL handles, host side only.
//
// OsslPtr<T> is a unique_ptr with the right OpenSSL free function for T, so
// no handle leaks on an error path. Use it for every OpenSSL object.
#ifndef PKI_COMMON_OSSL_H_
#define PKI_COMMON_OSSL_H_

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "base/status.h"

namespace pki {

template <typename T>
struct OsslDeleter;

#define PKI_OSSL_DELETER(T, fn)              \
  template <>                                \
  struct OsslDeleter<T> {                    \
    void operator()(T* p) const { fn(p); }   \
  }

PKI_OSSL_DELETER(BIO, BIO_free_all);
PKI_OSSL_DELETER(BIGNUM, BN_free);
PKI_OSSL_DELETER(EVP_PKEY, EVP_PKEY_free);
PKI_OSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
PKI_OSSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free);
PKI_OSSL_DELETER(X509, X509_free);
PKI_OSSL_DELETER(X509_REQ, X509_REQ_free);
PKI_OSSL_DELETER(X509_CRL, X509_CRL_free);
PKI_OSSL_DELETER(X509_NAME, X509_NAME_free);
PKI_OSSL_DELETER(X509_EXTENSION, X509_EXTENSION_free);
PKI_OSSL_DELETER(X509_STORE, X509_STORE_free);
PKI_OSSL_DELETER(X509_STORE_CTX, X509_STORE_CTX_free);
PKI_OSSL_DELETER(ASN1_STRING, ASN1_STRING_free);  // ASN1_INTEGER, ASN1_TIME, ASN1_OCTET_STRING too
PKI_OSSL_DELETER(CMS_ContentInfo, CMS_ContentInfo_free);
PKI_OSSL_DELETER(GENERAL_NAMES, GENERAL_NAMES_free);
PKI_OSSL_DELETER(SSL_CTX, SSL_CTX_free);
PKI_OSSL_DELETER(ECDSA_SIG, ECDSA_SIG_free);

#undef PKI_OSSL_DELETER

template <typename T>
using OsslPtr = std::unique_ptr<T, OsslDeleter<T>>;

// OpenSslErrors drains OpenSSL's error queue of this thread and returns it as
// one line ("" if empty), for error messages. The queue is left empty.
std::string OpenSslErrors();

// OsslError returns a Status with |code|, |what| and the drained error queue.
Status OsslError(StatusCode code, std::string_view what);

}  // namespace pki

#endif  // PKI_COMMON_OSSL_H_
