#include "list.h"

#include <memory>

#include "errors.h"
#include "hsm_session.h"
#include "key_locator.h"
#include "uri.h"

namespace pki::signerctl {
namespace {

using signer::internal::GetAttribute;
using signer::internal::GetUlong;

const char* KeyTypeName(CK_ULONG type) {
  switch (type) {
    case CKK_RSA: return "rsa";
    case CKK_EC: return "ec";
    case CKK_EC_EDWARDS: return "ed25519";
    default: return "other";
  }
}

Status ListObjects(HsmSession& hsm, std::string* out) {
  std::string detail;
  PKI_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> objects,
                       signer::internal::FindObjects(hsm.fn(), hsm.session(), {}, &detail));
  for (CK_OBJECT_HANDLE obj : objects) {
    StatusOr<CK_ULONG> cls = GetUlong(hsm.fn(), hsm.session(), obj, CKA_CLASS, &detail);
    if (!cls.ok()) continue;
    if (*cls != CKO_PRIVATE_KEY && *cls != CKO_PUBLIC_KEY && *cls != CKO_CERTIFICATE) continue;
    StatusOr<std::string> label = GetAttribute(hsm.fn(), hsm.session(), obj, CKA_LABEL, &detail);
    StatusOr<std::string> id = GetAttribute(hsm.fn(), hsm.session(), obj, CKA_ID, &detail);
    *out += "  ";
    *out += ObjectUri(hsm.token_info(), label.ok() ? *label : "", id.ok() ? *id : "", *cls);
    if (*cls != CKO_CERTIFICATE) {
      StatusOr<CK_ULONG> type = GetUlong(hsm.fn(), hsm.session(), obj, CKA_KEY_TYPE, &detail);
      if (type.ok()) {
        *out += "  (";
        *out += KeyTypeName(*type);
        *out += ")";
      }
    }
    *out += "\n";
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::string> ListTokens(const std::string& module_path, const std::string& token,
                                 const std::string& pin_file) {
  std::string detail;
  PKI_ASSIGN_OR_RETURN(std::shared_ptr<Module> module, Module::Load(module_path, &detail));
  PKI_ASSIGN_OR_RETURN(std::vector<CK_SLOT_ID> slots, module->SlotsWithTokens(&detail));
  std::string out;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    if (module->fn()->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    if ((info.flags & CKF_TOKEN_INITIALIZED) == 0) continue;
    std::string label = signer::internal::PaddedField(info.label, sizeof(info.label));
    out += "token ";
    out += signer::internal::TokenUriOf(info);
    out += "  (slot ";
    out += std::to_string(slot);
    out += ")\n";
    bool login = !pin_file.empty() && (token.empty() || token == label);
    signer::internal::Pkcs11Uri by_serial;
    by_serial.serial = signer::internal::PaddedField(info.serialNumber, sizeof(info.serialNumber));
    by_serial.token = label;
    PKI_ASSIGN_OR_RETURN(std::unique_ptr<HsmSession> hsm,
                         HsmSession::Open(module_path, by_serial.ToString(), login ? pin_file : ""));
    PKI_RETURN_IF_ERROR(ListObjects(*hsm, &out));
  }
  return out;
}

}  // namespace pki::signerctl
