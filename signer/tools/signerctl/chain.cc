#include "chain.h"

#include "common/pem.h"
#include "errors.h"
#include "public_key.h"

namespace pki::signerctl {
namespace {

CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE type, const void* value, size_t len) {
  CK_ATTRIBUTE a{};
  a.type = type;
  a.pValue = const_cast<void*>(value);
  a.ulValueLen = static_cast<CK_ULONG>(len);
  return a;
}

template <typename T, typename F>
std::string Der(T* obj, F i2d) {
  int n = i2d(obj, nullptr);
  if (n <= 0) return "";
  std::string out(static_cast<size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  i2d(obj, &p);
  return out;
}

}  // namespace

StatusOr<std::vector<std::string>> AttachChain(HsmSession& hsm, const std::string& label,
                                               const std::string& pem) {
  StatusOr<std::vector<OsslPtr<X509>>> certs = ParseCertificates(pem);
  if (!certs.ok()) return InvalidArgumentError("the chain file holds no certificate");
  PKI_ASSIGN_OR_RETURN(LocatedKey key, hsm.FindKey(label));
  std::string leaf_spki = Der(X509_get0_pubkey((*certs)[0].get()), i2d_PUBKEY);
  if (!signer::internal::SameKey(leaf_spki, key.public_key.spki_der)) {
    return FailedPreconditionError("the first certificate is not for key '").Append(label).Append("'");
  }
  std::string detail;
  CK_OBJECT_CLASS cert_class = CKO_CERTIFICATE;
  PKI_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> existing,
                       signer::internal::FindObjects(
                           hsm.fn(), hsm.session(),
                           {Attr(CKA_CLASS, &cert_class, sizeof(cert_class)),
                            Attr(CKA_ID, key.id.data(), key.id.size())},
                           &detail));
  if (!existing.empty()) {
    return AlreadyExistsError("key '").Append(label).Append("' already has a certificate in the token");
  }
  std::vector<std::string> uris;
  for (size_t i = 0; i < certs->size(); ++i) {
    X509* cert = (*certs)[i].get();
    std::string value = Der(cert, i2d_X509);
    std::string subject = Der(X509_get_subject_name(cert), i2d_X509_NAME);
    std::string issuer = Der(X509_get_issuer_name(cert), i2d_X509_NAME);
    std::string serial = Der(X509_get0_serialNumber(cert), i2d_ASN1_INTEGER);
    std::string cert_label = i == 0 ? label : label + ".chain" + std::to_string(i);
    std::string id = key.id;
    if (i > 0) id.push_back(static_cast<char>(i));
    const CK_BBOOL yes = CK_TRUE;
    const CK_BBOOL no = CK_FALSE;
    CK_CERTIFICATE_TYPE type = CKC_X_509;
    std::vector<CK_ATTRIBUTE> tmpl = {
        Attr(CKA_CLASS, &cert_class, sizeof(cert_class)),
        Attr(CKA_CERTIFICATE_TYPE, &type, sizeof(type)),
        Attr(CKA_TOKEN, &yes, sizeof(yes)),
        Attr(CKA_PRIVATE, &no, sizeof(no)),
        Attr(CKA_LABEL, cert_label.data(), cert_label.size()),
        Attr(CKA_ID, id.data(), id.size()),
        Attr(CKA_VALUE, value.data(), value.size()),
        Attr(CKA_SUBJECT, subject.data(), subject.size()),
        Attr(CKA_ISSUER, issuer.data(), issuer.size()),
        Attr(CKA_SERIAL_NUMBER, serial.data(), serial.size()),
    };
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
    CK_RV rv = hsm.fn()->C_CreateObject(hsm.session(), tmpl.data(), static_cast<CK_ULONG>(tmpl.size()), &handle);
    if (rv != CKR_OK) {
      Status s = signer::internal::RvToStatus("storing a certificate", rv, &detail);
      return Status(s.code(), s.message()).Append(" (").Append(detail).Append(")");
    }
    uris.push_back(ObjectUri(hsm.token_info(), cert_label, id, CKO_CERTIFICATE));
  }
  return uris;
}

}  // namespace pki::signerctl
