// key_locator.h — finding objects a PKCS#11 URI names on a token, and reading
// what may be known about a private key: its type, CKA_ID, flags and public
// key (from the key itself, its public-key object or its certificate).
#ifndef PKI_SIGNER_SRC_PKCS11_KEY_LOCATOR_H_
#define PKI_SIGNER_SRC_PKCS11_KEY_LOCATOR_H_

#include <string>
#include <vector>

#include "base/status_or.h"
#include "p11.h"
#include "public_key.h"
#include "uri.h"

namespace pki::signer::internal {

// GetAttribute returns the value of |type| of |object|. NOT_FOUND if the
// object has no such attribute or it is sensitive; RvToStatus codes otherwise.
StatusOr<std::string> GetAttribute(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                                   CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                                   std::string* out_detail);
// GetBool / GetUlong read a CK_BBOOL / CK_ULONG attribute the same way.
StatusOr<bool> GetBool(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                       CK_ATTRIBUTE_TYPE type, std::string* out_detail);
StatusOr<CK_ULONG> GetUlong(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                            CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                            std::string* out_detail);

// FindObjects returns every object matching |tmpl| (borrowed) visible to
// |session|.
StatusOr<std::vector<CK_OBJECT_HANDLE>> FindObjects(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                                                    std::vector<CK_ATTRIBUTE> tmpl,
                                                    std::string* out_detail);

// FindPrivateKey returns the one private key matching the object attributes
// of |uri| (object, id; type must be absent or "private"). NOT_FOUND with the
// URI if none, INVALID_ARGUMENT if the URI names several keys or a non-private
// type.
StatusOr<CK_OBJECT_HANDLE> FindPrivateKey(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                                          const Pkcs11Uri& uri, std::string* out_detail);

struct LocatedKey {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  std::string id;     // CKA_ID, raw
  std::string label;  // CKA_LABEL
  bool extractable = false;
  bool sensitive = true;
  PublicKey public_key;
};

// ReadKey reads what LocatedKey holds about private key |handle|.
// NOT_FOUND if no public key can be found for an EC/EdDSA key (no public-key
// object nor certificate with its CKA_ID); INVALID_ARGUMENT for a key type or
// curve the pool does not support.
StatusOr<LocatedKey> ReadKey(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                             CK_OBJECT_HANDLE handle, std::string* out_detail);

// ReadPublicKeyObject builds a PublicKey from public-key object |handle|.
StatusOr<PublicKey> ReadPublicKeyObject(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session,
                                        CK_OBJECT_HANDLE handle, std::string* out_detail);

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_SRC_PKCS11_KEY_LOCATOR_H_
