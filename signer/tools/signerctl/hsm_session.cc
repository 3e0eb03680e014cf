#include "hsm_session.h"

#include "common/file.h"
#include "errors.h"
#include "uri.h"

namespace pki::signerctl {

using signer::internal::Pkcs11Uri;

HsmSession::~HsmSession() {
  if (logged_in_) module_->fn()->C_Logout(session_.get());
  session_.Close();
}

std::string HsmSession::TokenUri() const { return signer::internal::TokenUriOf(info_); }

StatusOr<std::unique_ptr<HsmSession>> HsmSession::Open(const std::string& module_path,
                                                       const std::string& token,
                                                       const std::string& pin_file) {
  Pkcs11Uri want;
  if (token.rfind("pkcs11:", 0) == 0) {
    PKI_ASSIGN_OR_RETURN(want, Pkcs11Uri::Parse(token));
  } else {
    want.token = token;
  }
  std::string detail;
  StatusOr<std::shared_ptr<Module>> module = Module::Load(module_path, &detail);
  if (!module.ok()) return module.status();
  PKI_ASSIGN_OR_RETURN(std::vector<CK_SLOT_ID> slots, (*module)->SlotsWithTokens(&detail));
  CK_SLOT_ID found = 0;
  CK_TOKEN_INFO found_info{};
  int matches = 0;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    if ((*module)->fn()->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    if ((info.flags & CKF_TOKEN_INITIALIZED) == 0 || !want.MatchesToken(info)) continue;
    ++matches;
    found = slot;
    found_info = info;
  }
  if (matches == 0) return NotFoundError("no token matches '").Append(token).Append("'");
  if (matches > 1) {
    return InvalidArgumentError("several tokens match '").Append(token).Append("'; use a URI with serial=");
  }
  PKI_ASSIGN_OR_RETURN(Session session, Session::Open((*module)->fn(), found, /*rw=*/true, &detail));
  bool logged_in = false;
  if (!pin_file.empty()) {
    PKI_ASSIGN_OR_RETURN(SecretBuffer pin, ReadSecretFile(pin_file));
    ByteSpan bytes = pin.View(SecretAccess::Grant());
    CK_RV rv = (*module)->fn()->C_Login(session.get(), CKU_USER, const_cast<CK_UTF8CHAR*>(bytes.data()),
                                        static_cast<CK_ULONG>(bytes.size()));
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
      Status s = signer::internal::RvToStatus("log in", rv, nullptr);
      return Status(s.code(), "cannot log in to token '").Append(token).Append("': ").Append(s.message());
    }
    logged_in = rv == CKR_OK;
  }
  return std::unique_ptr<HsmSession>(
      new HsmSession(std::move(module).value(), std::move(session), found_info, logged_in));
}

StatusOr<LocatedKey> HsmSession::FindKey(const std::string& label) {
  Pkcs11Uri uri;
  uri.object = label;
  uri.type = CKO_PRIVATE_KEY;
  std::string detail;
  StatusOr<CK_OBJECT_HANDLE> handle = signer::internal::FindPrivateKey(fn(), session(), uri, &detail);
  if (!handle.ok()) {
    return Status(handle.status().code(), "key '").Append(label).Append("': ")
        .Append(handle.status().code() == StatusCode::kNotFound ? "no such private key (logged in?)"
                                                                : handle.status().message());
  }
  return signer::internal::ReadKey(fn(), session(), *handle, &detail);
}

std::string ObjectUri(const CK_TOKEN_INFO& info, const std::string& label, const std::string& id,
                      CK_OBJECT_CLASS cls) {
  Pkcs11Uri uri;
  uri.model = signer::internal::PaddedField(info.model, sizeof(info.model));
  uri.manufacturer = signer::internal::PaddedField(info.manufacturerID, sizeof(info.manufacturerID));
  uri.serial = signer::internal::PaddedField(info.serialNumber, sizeof(info.serialNumber));
  uri.token = signer::internal::PaddedField(info.label, sizeof(info.label));
  if (!label.empty()) uri.object = label;
  if (!id.empty()) uri.id = id;
  if (signer::internal::ObjectClassName(cls)[0] != '\0') uri.type = cls;
  return uri.ToString();
}

}  // namespace pki::signerctl
