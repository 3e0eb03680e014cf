#include "key_locator.h"

#include <cstring>

#include "common/ossl.h"
#include "errors.h"

namespace pki::signer::internal {
namespace {

CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE type, void* value, size_t len) {
  CK_ATTRIBUTE a{};
  a.type = type;
  a.pValue = value;
  a.ulValueLen = static_cast<CK_ULONG>(len);
  return a;
}

StatusOr<PublicKey> FromCertificate(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OsslPtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return OsslError(StatusCode::kInvalidArgument, "certificate object does not parse");
  EVP_PKEY* pkey = X509_get0_pubkey(cert.get());
  if (pkey == nullptr) return OsslError(StatusCode::kInvalidArgument, "certificate public key");
  int n = i2d_PUBKEY(pkey, nullptr);
  if (n <= 0) return OsslError(StatusCode::kInternal, "i2d_PUBKEY");
  std::string spki(static_cast<size_t>(n), '\0');
  auto* out = reinterpret_cast<unsigned char*>(spki.data());
  i2d_PUBKEY(pkey, &out);
  PublicKey key;
  key.spki_der = std::move(spki);
  key.bits = static_cast<uint32_t>(EVP_PKEY_get_bits(pkey));
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA: key.kind = KeyKind::kRsa; break;
    case EVP_PKEY_ED25519: key.kind = KeyKind::kEd25519; break;
    case EVP_PKEY_EC:
      if (key.bits == 256) {
        key.kind = KeyKind::kEcP256;
      } else if (key.bits == 384) {
        key.kind = KeyKind::kEcP384;
      } else {
        return InvalidArgumentError("unsupported EC curve in certificate");
      }
      break;
    default:
      return InvalidArgumentError("unsupported key type in certificate");
  }
  return key;
}

}  // namespace

StatusOr<std::string> GetAttribute(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                                   CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                                   std::string* out_detail) {
  CK_ATTRIBUTE a = Attr(type, nullptr, 0);
  CK_RV rv = fn->C_GetAttributeValue(session, object, &a, 1);
  if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE ||
      (rv == CKR_OK && a.ulValueLen == CK_UNAVAILABLE_INFORMATION)) {
    return NotFoundError("attribute not available");
  }
  if (rv != CKR_OK) return RvToStatus("C_GetAttributeValue", rv, out_detail);
  std::string value(a.ulValueLen, '\0');
  a.pValue = value.data();
  rv = fn->C_GetAttributeValue(session, object, &a, 1);
  if (rv != CKR_OK) return RvToStatus("C_GetAttributeValue", rv, out_detail);
  value.resize(a.ulValueLen);
  return value;
}

StatusOr<bool> GetBool(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                       CK_ATTRIBUTE_TYPE type, std::string* out_detail) {
  PKI_ASSIGN_OR_RETURN(std::string v, GetAttribute(fn, session, object, type, out_detail));
  if (v.size() != sizeof(CK_BBOOL)) return InternalError("boolean attribute of wrong size");
  return v[0] != 0;
}

StatusOr<CK_ULONG> GetUlong(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                            CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                            std::string* out_detail) {
  PKI_ASSIGN_OR_RETURN(std::string v, GetAttribute(fn, session, object, type, out_detail));
  if (v.size() != sizeof(CK_ULONG)) return InternalError("integer attribute of wrong size");
  CK_ULONG out = 0;
  std::memcpy(&out, v.data(), sizeof(out));
  return out;
}

StatusOr<std::vector<CK_OBJECT_HANDLE>> FindObjects(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                                                    std::vector<CK_ATTRIBUTE> tmpl,
                                                    std::string* out_detail) {
  CK_RV rv = fn->C_FindObjectsInit(session, tmpl.data(), static_cast<CK_ULONG>(tmpl.size()));
  if (rv != CKR_OK) return RvToStatus("C_FindObjectsInit", rv, out_detail);
  std::vector<CK_OBJECT_HANDLE> out;
  for (;;) {
    CK_OBJECT_HANDLE batch[32];
    CK_ULONG n = 0;
    rv = fn->C_FindObjects(session, batch, 32, &n);
    if (rv != CKR_OK) {
      fn->C_FindObjectsFinal(session);
      return RvToStatus("C_FindObjects", rv, out_detail);
    }
    out.insert(out.end(), batch, batch + n);
    if (n < 32) break;
  }
  rv = fn->C_FindObjectsFinal(session);
  if (rv != CKR_OK) return RvToStatus("C_FindObjectsFinal", rv, out_detail);
  return out;
}

StatusOr<CK_OBJECT_HANDLE> FindPrivateKey(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                                          const Pkcs11Uri& uri, std::string* out_detail) {
  if (uri.type && *uri.type != CKO_PRIVATE_KEY) {
    return InvalidArgumentError("key URI must name a private key (type=private): ")
        .Append(uri.ToString());
  }
  if (!uri.object && !uri.id) {
    return InvalidArgumentError("key URI names no object (want object= or id=): ")
        .Append(uri.ToString());
  }
  CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
  std::string label = uri.object.value_or("");
  std::string id = uri.id.value_or("");
  std::vector<CK_ATTRIBUTE> tmpl = {Attr(CKA_CLASS, &cls, sizeof(cls))};
  if (uri.object) tmpl.push_back(Attr(CKA_LABEL, label.data(), label.size()));
  if (uri.id) tmpl.push_back(Attr(CKA_ID, id.data(), id.size()));
  PKI_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> found,
                       FindObjects(fn, session, std::move(tmpl), out_detail));
  if (found.empty()) return NotFoundError("no private key matches ").Append(uri.ToString());
  if (found.size() > 1) {
    return InvalidArgumentError("several private keys match ").Append(uri.ToString());
  }
  return found[0];
}

StatusOr<PublicKey> ReadPublicKeyObject(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                                        CK_OBJECT_HANDLE handle, std::string* out_detail) {
  PKI_ASSIGN_OR_RETURN(CK_ULONG key_type, GetUlong(fn, session, handle, CKA_KEY_TYPE, out_detail));
  if (key_type == CKK_RSA) {
    PKI_ASSIGN_OR_RETURN(std::string n, GetAttribute(fn, session, handle, CKA_MODULUS, out_detail));
    PKI_ASSIGN_OR_RETURN(std::string e,
                         GetAttribute(fn, session, handle, CKA_PUBLIC_EXPONENT, out_detail));
    return RsaPublicKey(AsBytes(n), AsBytes(e));
  }
  PKI_ASSIGN_OR_RETURN(std::string params,
                       GetAttribute(fn, session, handle, CKA_EC_PARAMS, out_detail));
  PKI_ASSIGN_OR_RETURN(std::string point, GetAttribute(fn, session, handle, CKA_EC_POINT, out_detail));
  if (key_type == CKK_EC) return EcPublicKey(AsBytes(params), AsBytes(point));
  if (key_type == CKK_EC_EDWARDS) return EdPublicKey(AsBytes(params), AsBytes(point));
  return InvalidArgumentError("unsupported key type");
}

StatusOr<LocatedKey> ReadKey(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                             CK_OBJECT_HANDLE handle, std::string* out_detail) {
  LocatedKey key;
  key.handle = handle;
  PKI_ASSIGN_OR_RETURN(CK_ULONG key_type, GetUlong(fn, session, handle, CKA_KEY_TYPE, out_detail));
  if (key_type != CKK_RSA && key_type != CKK_EC && key_type != CKK_EC_EDWARDS) {
    return InvalidArgumentError("unsupported key type (want EC, RSA or Ed25519)");
  }
  StatusOr<std::string> id = GetAttribute(fn, session, handle, CKA_ID, out_detail);
  if (id.ok()) key.id = std::move(id).value();
  StatusOr<std::string> label = GetAttribute(fn, session, handle, CKA_LABEL, out_detail);
  if (label.ok()) key.label = std::move(label).value();
  StatusOr<bool> extractable = GetBool(fn, session, handle, CKA_EXTRACTABLE, out_detail);
  key.extractable = !extractable.ok() || *extractable;  // unknown counts as extractable
  StatusOr<bool> sensitive = GetBool(fn, session, handle, CKA_SENSITIVE, out_detail);
  key.sensitive = sensitive.ok() && *sensitive;

  if (key_type == CKK_RSA) {
    PKI_ASSIGN_OR_RETURN(std::string n, GetAttribute(fn, session, handle, CKA_MODULUS, out_detail));
    PKI_ASSIGN_OR_RETURN(std::string e,
                         GetAttribute(fn, session, handle, CKA_PUBLIC_EXPONENT, out_detail));
    PKI_ASSIGN_OR_RETURN(key.public_key, RsaPublicKey(AsBytes(n), AsBytes(e)));
    return key;
  }
  // EC and EdDSA private keys carry no point: find the public-key object or
  // the certificate with the same CKA_ID (same label preferred).
  if (key.id.empty()) {
    return NotFoundError("key has no CKA_ID: its public key cannot be found");
  }
  CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY;
  std::vector<CK_OBJECT_HANDLE> pubs;
  {
    PKI_ASSIGN_OR_RETURN(pubs, FindObjects(fn, session,
                                           {Attr(CKA_CLASS, &pub_class, sizeof(pub_class)),
                                            Attr(CKA_ID, key.id.data(), key.id.size())},
                                           out_detail));
  }
  for (CK_OBJECT_HANDLE pub : pubs) {
    StatusOr<PublicKey> pk = ReadPublicKeyObject(fn, session, pub, out_detail);
    if (pk.ok()) {
      key.public_key = std::move(pk).value();
      return key;
    }
  }
  CK_OBJECT_CLASS cert_class = CKO_CERTIFICATE;
  PKI_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> certs,
                       FindObjects(fn, session,
                                   {Attr(CKA_CLASS, &cert_class, sizeof(cert_class)),
                                    Attr(CKA_ID, key.id.data(), key.id.size())},
                                   out_detail));
  for (CK_OBJECT_HANDLE cert : certs) {
    StatusOr<std::string> der = GetAttribute(fn, session, cert, CKA_VALUE, out_detail);
    if (!der.ok()) continue;
    StatusOr<PublicKey> pk = FromCertificate(*der);
    if (pk.ok()) {
      key.public_key = std::move(pk).value();
      return key;
    }
  }
  return NotFoundError("no public-key object or certificate with the key's CKA_ID");
}

}  // namespace pki::signer::internal
