#include "policy/peer_identity.h"

#include <openssl/x509v3.h>

#include "common/pem.h"

namespace pki::signer {

StatusOr<PeerIdentity> PeerIdentityFromCert(X509& cert) {
  PeerIdentity id;
  OsslPtr<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr)));
  if (names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
      if (gn->type != GEN_URI && gn->type != GEN_DNS) continue;
      const ASN1_IA5STRING* s = gn->type == GEN_URI ? gn->d.uniformResourceIdentifier : gn->d.dNSName;
      std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                        static_cast<size_t>(ASN1_STRING_length(s)));
      // A name with an embedded NUL is a forgery attempt: ignore it.
      if (value.find('\0') != std::string::npos) continue;
      (gn->type == GEN_URI ? id.uri_sans : id.dns_sans).push_back(std::move(value));
    }
  }
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(&cert), 0,
                                 XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    return OsslError(StatusCode::kInternal, "printing the client subject");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len > 0) id.subject.assign(data, static_cast<size_t>(len));
  return id;
}

StatusOr<PeerIdentity> PeerIdentityFromPem(std::string_view pem) {
  auto certs = ParseCertificates(pem);
  if (!certs.ok() || certs->empty()) return Status(StatusCode::kUnauthenticated, "no client certificate");
  return PeerIdentityFromCert(*certs->front());
}

}  // namespace pki::signer
