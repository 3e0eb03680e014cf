#include "keygen.h"

#include <openssl/rand.h>

#include <vector>

#include "errors.h"

namespace pki::signerctl {
namespace {

using signer::internal::FindObjects;
using signer::internal::RvToStatus;

CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE type, const void* value, size_t len) {
  CK_ATTRIBUTE a{};
  a.type = type;
  a.pValue = const_cast<void*>(value);
  a.ulValueLen = static_cast<CK_ULONG>(len);
  return a;
}

constexpr uint8_t kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr uint8_t kP384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
constexpr uint8_t kEd25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
constexpr uint8_t kF4[] = {0x01, 0x00, 0x01};

}  // namespace

StatusOr<KeyType> ParseKeyType(std::string_view text) {
  if (text == "ec-p256") return KeyType::kEcP256;
  if (text == "ec-p384") return KeyType::kEcP384;
  if (text == "rsa-2048") return KeyType::kRsa2048;
  if (text == "rsa-3072") return KeyType::kRsa3072;
  if (text == "rsa-4096") return KeyType::kRsa4096;
  if (text == "ed25519") return KeyType::kEd25519;
  return InvalidArgumentError("unknown key type '").Append(text.substr(0, 32))
      .Append("' (want ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096 or ed25519)");
}

StatusOr<GeneratedKey> GenerateKey(HsmSession& hsm, const std::string& label, KeyType type) {
  if (label.empty()) return InvalidArgumentError("key label is empty");
  std::string detail;
  PKI_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> existing,
                       FindObjects(hsm.fn(), hsm.session(),
                                   {Attr(CKA_LABEL, label.data(), label.size())}, &detail));
  if (!existing.empty()) {
    return AlreadyExistsError("an object labelled '").Append(label).Append("' already exists on the token");
  }
  std::string id(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(id.data()), static_cast<int>(id.size())) != 1) {
    return InternalError("RAND_bytes failed");
  }
  const CK_BBOOL yes = CK_TRUE;
  const CK_BBOOL no = CK_FALSE;
  CK_MECHANISM mech{};
  std::vector<CK_ATTRIBUTE> pub = {
      Attr(CKA_TOKEN, &yes, sizeof(yes)),     Attr(CKA_PRIVATE, &no, sizeof(no)),
      Attr(CKA_VERIFY, &yes, sizeof(yes)),    Attr(CKA_LABEL, label.data(), label.size()),
      Attr(CKA_ID, id.data(), id.size()),
  };
  std::vector<CK_ATTRIBUTE> priv = {
      Attr(CKA_TOKEN, &yes, sizeof(yes)),       Attr(CKA_PRIVATE, &yes, sizeof(yes)),
      Attr(CKA_SENSITIVE, &yes, sizeof(yes)),   Attr(CKA_EXTRACTABLE, &no, sizeof(no)),
      Attr(CKA_SIGN, &yes, sizeof(yes)),        Attr(CKA_LABEL, label.data(), label.size()),
      Attr(CKA_ID, id.data(), id.size()),
  };
  CK_ULONG bits = 0;
  switch (type) {
    case KeyType::kEcP256:
      mech.mechanism = CKM_EC_KEY_PAIR_GEN;
      pub.push_back(Attr(CKA_EC_PARAMS, kP256, sizeof(kP256)));
      break;
    case KeyType::kEcP384:
      mech.mechanism = CKM_EC_KEY_PAIR_GEN;
      pub.push_back(Attr(CKA_EC_PARAMS, kP384, sizeof(kP384)));
      break;
    case KeyType::kEd25519:
      mech.mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN;
      pub.push_back(Attr(CKA_EC_PARAMS, kEd25519, sizeof(kEd25519)));
      break;
    case KeyType::kRsa2048:
    case KeyType::kRsa3072:
    case KeyType::kRsa4096:
      bits = type == KeyType::kRsa2048 ? 2048 : type == KeyType::kRsa3072 ? 3072 : 4096;
      mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
      pub.push_back(Attr(CKA_MODULUS_BITS, &bits, sizeof(bits)));
      pub.push_back(Attr(CKA_PUBLIC_EXPONENT, kF4, sizeof(kF4)));
      break;
  }
  CK_OBJECT_HANDLE pub_handle = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE priv_handle = CK_INVALID_HANDLE;
  CK_RV rv = hsm.fn()->C_GenerateKeyPair(hsm.session(), &mech, pub.data(),
                                         static_cast<CK_ULONG>(pub.size()), priv.data(),
                                         static_cast<CK_ULONG>(priv.size()), &pub_handle,
                                         &priv_handle);
  if (rv != CKR_OK) {
    Status s = RvToStatus("key generation", rv, &detail);
    return Status(s.code(), s.message()).Append(" (").Append(detail).Append(")");
  }
  PKI_ASSIGN_OR_RETURN(LocatedKey key, signer::internal::ReadKey(hsm.fn(), hsm.session(), priv_handle, &detail));
  GeneratedKey out;
  out.private_uri = ObjectUri(hsm.token_info(), label, id, CKO_PRIVATE_KEY);
  out.id = id;
  out.spki_der = key.public_key.spki_der;
  return out;
}

}  // namespace pki::signerctl
