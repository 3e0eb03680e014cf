#include "common/pem.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>

namespace pki {
namespace {

// Makes a throwaway self-signed certificate with OpenSSL.
OsslPtr<X509> MakeCert() {
  OsslPtr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  OsslPtr<X509> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("pem test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  return cert;
}

TEST(Pem, DerAndPemRoundTrip) {
  auto cert = MakeCert();
  auto der = CertificateToDer(*cert);
  ASSERT_TRUE(der.ok());
  auto pem = CertificateToPem(*cert);
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(DerToPem("CERTIFICATE", *der), *pem);
  auto from_pem = ParseCertificates(*pem + *pem);
  ASSERT_TRUE(from_pem.ok());
  EXPECT_EQ(from_pem->size(), 2u);
  auto from_der = ParseCertificates(*der);
  ASSERT_TRUE(from_der.ok());
  EXPECT_EQ(X509_cmp(from_der->front().get(), cert.get()), 0);
}

TEST(Pem, GarbageAndTrailingBytesAreRejected) {
  EXPECT_EQ(ParseCertificates("not a certificate").status().code(), StatusCode::kInvalidArgument);
  auto der = CertificateToDer(*MakeCert());
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(ParseCertificates(*der + "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCsr("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki
