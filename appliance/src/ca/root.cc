#include "ca/root.h"

#include "ca/cert_tbs.h"
#include "ca/der.h"
#include "ca/intermediate.h"

namespace pki::appliance::ca {

StatusOr<size_t> BuildRootTbs(const RootSpec& spec, const Serial& serial, const crypto::KeyPair& root_key,
                              MutableByteSpan out_tbs) {
  PKI_RETURN_IF_ERROR(CheckSerial(serial));
  if (spec.path_len < -1) return InvalidArgumentError("root: path_len must be -1 (absent) or >= 0");
  PKI_RETURN_IF_ERROR(internal::CheckTimeRange(spec.not_before, "root: notBefore"));
  PKI_RETURN_IF_ERROR(internal::CheckTimeRange(spec.not_after, "root: notAfter"));
  if (spec.not_after <= spec.not_before) return InvalidArgumentError("root: notAfter must be after notBefore");
  if (spec.not_after - spec.not_before > kMaxRootValiditySeconds) {
    return InvalidArgumentError("root: validity longer than 25 years");
  }
  uint8_t name[kMaxNameDer];
  PKI_ASSIGN_OR_RETURN(const size_t name_len, internal::NameFromString(spec.subject, name));
  uint8_t spki[crypto::kMaxSpkiDer];
  PKI_ASSIGN_OR_RETURN(const size_t spki_len, root_key.WriteSpki(spki));
  PKI_ASSIGN_OR_RETURN(const internal::KeyId ski, internal::KeyIdFromSpki(ByteSpan(spki, spki_len)));

  internal::CertTbsFields f;
  f.serial = &serial;
  f.issuer_key_alg = root_key.algorithm();
  f.issuer_name = ByteSpan(name, name_len);
  f.subject_name = ByteSpan(name, name_len);
  f.not_before = spec.not_before;
  f.not_after = spec.not_after;
  f.spki = ByteSpan(spki, spki_len);
  f.path_len = spec.path_len;
  f.key_usage = kKuKeyCertSign | kKuCrlSign;
  f.subject_key_id = ski;
  f.authority_key_id = ski;
  return internal::WriteCertTbs(f, out_tbs);
}

}  // namespace pki::appliance::ca
