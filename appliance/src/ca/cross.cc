#include "ca/cross.h"

#include <cstring>

#include "ca/cert_tbs.h"
#include "ca/der.h"
#include "ca/intermediate.h"

namespace pki::appliance::ca {

StatusOr<size_t> BuildCrossTbs(const CaCertificate& old_root, const CaCertificate& new_root,
                               const CrossRequest& request, MutableByteSpan out_tbs) {
  PKI_RETURN_IF_ERROR(CheckSerial(request.serial));
  if (new_root.spki_der().size() == old_root.spki_der().size() &&
      std::memcmp(new_root.spki_der().data(), old_root.spki_der().data(), new_root.spki_der().size()) == 0) {
    return InvalidArgumentError("cross: the new root has the old root's key");
  }
  PKI_RETURN_IF_ERROR(internal::CheckTimeRange(request.not_before, "cross: notBefore"));
  PKI_RETURN_IF_ERROR(internal::CheckTimeRange(request.not_after, "cross: notAfter"));
  if (request.not_after <= request.not_before) return InvalidArgumentError("cross: notAfter must be after notBefore");
  if (request.not_before < old_root.not_before() || request.not_after > old_root.not_after()) {
    return InvalidArgumentError("cross: validity must lie inside the old root's validity");
  }
  if (request.not_before < new_root.not_before() || request.not_after > new_root.not_after()) {
    return InvalidArgumentError("cross: validity must lie inside the new root's validity");
  }
  if (request.path_len < kPathLenFromNewRoot) return InvalidArgumentError("cross: path_len must be >= -2");

  internal::CertTbsFields f;
  f.serial = &request.serial;
  f.issuer_key_alg = old_root.key_algorithm();
  f.issuer_name = old_root.subject_der();
  f.not_before = request.not_before;
  f.not_after = request.not_after;
  f.subject_name = new_root.subject_der();
  f.spki = new_root.spki_der();
  f.path_len = request.path_len == kPathLenFromNewRoot ? new_root.path_len() : request.path_len;
  f.key_usage = kKuKeyCertSign | kKuCrlSign;
  f.subject_key_id = new_root.subject_key_id();
  f.authority_key_id = old_root.subject_key_id();
  return internal::WriteCertTbs(f, out_tbs);
}

}  // namespace pki::appliance::ca
