// peer_identity.h — what a verified client certificate says about its holder.
#ifndef PKI_SIGNER_POLICY_PEER_IDENTITY_H_
#define PKI_SIGNER_POLICY_PEER_IDENTITY_H_

#include <string_view>

#include "base/status_or.h"
#include "common/ossl.h"
#include "policy/policy.h"

namespace pki::signer {

// PeerIdentityFromCert reads the URI and DNS SANs and the RFC 2253 subject
// of |cert| (borrowed). INTERNAL if OpenSSL can't print the subject.
StatusOr<PeerIdentity> PeerIdentityFromCert(X509& cert);

// PeerIdentityFromPem parses the first certificate of |pem| (as grpc's
// AuthContext "x509_pem_cert" gives it) and reads its identity.
// UNAUTHENTICATED if no certificate parses.
StatusOr<PeerIdentity> PeerIdentityFromPem(std::string_view pem);

}  // namespace pki::signer

#endif  // PKI_SIGNER_POLICY_PEER_IDENTITY_H_
