// cert_tbs.h — writes a TBSCertificate from resolved fields (internal to
// ca/; root.cc, intermediate.cc and cross.cc decide the fields and check the
// rules, this only encodes them).
#ifndef PKI_APPLIANCE_CA_CERT_TBS_H_
#define PKI_APPLIANCE_CA_CERT_TBS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"
#include "ca/serial.h"
#include "crypto/keypair.h"

namespace pki::appliance::ca::internal {

struct CertTbsFields {
  const Serial* serial = nullptr;
  crypto::KeyAlgorithm issuer_key_alg = crypto::KeyAlgorithm::kEcP384;  // picks the signature algorithm
  ByteSpan issuer_name;   // Name DER
  int64_t not_before = 0;
  int64_t not_after = 0;
  ByteSpan subject_name;  // Name DER
  ByteSpan spki;          // SubjectPublicKeyInfo DER
  // Extensions, written in this order; empty/zero ones are left out.
  int path_len = -1;                // BasicConstraints (always CA=true, critical); -1: no pathLen
  uint16_t key_usage = 0;           // KeyUsage (critical) bits as in intermediate.h
  uint32_t ext_key_usage = 0;       // EKU (non-critical) purposes as in intermediate.h
  std::span<const std::string_view> permitted_dns{};  // NameConstraints (critical)
  std::span<const std::string_view> excluded_dns{};
  ByteSpan subject_key_id;          // SKI
  ByteSpan authority_key_id;        // AKI keyIdentifier
  std::string_view crl_dp_url;      // CRLDistributionPoints fullName URI
  std::string_view aia_ca_issuers;  // AuthorityInfoAccess caIssuers URI
};

// WriteCertTbs encodes |f| as a v3 TBSCertificate at the front of |out| and
// returns its length. OUT_OF_RANGE if |out| is too small; INVALID_ARGUMENT if
// a date is outside 1950..9999.
StatusOr<size_t> WriteCertTbs(const CertTbsFields& f, MutableByteSpan out);

}  // namespace pki::appliance::ca::internal

#endif  // PKI_APPLIANCE_CA_CERT_TBS_H_
