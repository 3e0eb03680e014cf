// lint.h — checks on a to-be-released certificate (a copy signed with a
// throwaway key), independent of how the engine built it: the profile's
// rules and RFC 5280 basics.
#ifndef PKI_SIGNER_ISSUANCE_LINT_H_
#define PKI_SIGNER_ISSUANCE_LINT_H_

#include <openssl/x509.h>

#include <chrono>
#include <string>

#include "base/status.h"
#include "signer/issuance.h"

namespace pki::signer::internal {

// CheckSubjectKey returns OK if |key| is an algorithm and size |profile|
// allows (EC P-256/P-384, RSA in [rsa_min_bits, rsa_max_bits] with e=65537,
// Ed25519); INVALID_ARGUMENT naming what is refused otherwise.
Status CheckSubjectKey(const Profile& profile, EVP_PKEY& key);

// LintCertificate checks |cert| (borrowed) issued by |issuer| under
// |profile| for a client with |allowlist|: v3; serial positive, at most 20
// bytes; notBefore < notAfter, inside the issuer's validity and the
// profile's maximum (plus |backdate|); issuer name = issuer's subject; no
// duplicate extension; BasicConstraints critical CA=false; KU critical and
// as the profile says; EKU as the profile says and consistent with KU; SKI;
// AKI = issuer's SKI; SAN present (critical if the subject is empty) and
// every name allowed; subject key allowed; inner and outer signature
// algorithms equal. Returns INTERNAL naming the first failed rule.
// With |subject_key| (the CSR's SubjectPublicKeyInfo, its key decoded), the
// certificate's SubjectPublicKeyInfo must be byte-identical to it and the key
// checked is |subject_key|'s (the engine copies the CSR's SPKI into the
// template without decoding it again: an OpenSSL 3 key decode is the
// costliest step of an issuance); without, the certificate's own key.
Status LintCertificate(X509& cert, X509& issuer, const Profile& profile,
                       const NameAllowlist& allowlist, std::chrono::seconds backdate,
                       const X509_PUBKEY* subject_key = nullptr);

// SpkiDer returns the DER of |key| as stored (no key encoder involved).
std::string SpkiDer(const X509_PUBKEY& key);

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_ISSUANCE_LINT_H_
