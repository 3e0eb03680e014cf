// hsm_session.h — signerctl's way into one token: load the module, pick the
// token (by label or PKCS#11 URI), open a read-write session, log in with the
// PIN from a file (mode 0600; never argv). Owns the session and the module.
#ifndef PKI_SIGNER_TOOLS_SIGNERCTL_HSM_SESSION_H_
#define PKI_SIGNER_TOOLS_SIGNERCTL_HSM_SESSION_H_

#include <memory>
#include <string>

#include "base/status_or.h"
#include "key_locator.h"
#include "module.h"
#include "session.h"

namespace pki::signerctl {

using signer::internal::LocatedKey;
using signer::internal::Module;
using signer::internal::Session;

class HsmSession final {
 public:
  // Open loads |module_path|, finds the one token matching |token| (a label,
  // or a "pkcs11:" URI with token attributes) and opens a read-write session;
  // logs in if |pin_file| is non-empty. NOT_FOUND names a missing token,
  // INVALID_ARGUMENT an ambiguous one, PERMISSION_DENIED a refused PIN or a
  // PIN file others can read. Returns a new session the caller owns.
  static StatusOr<std::unique_ptr<HsmSession>> Open(const std::string& module_path,
                                                    const std::string& token,
                                                    const std::string& pin_file);
  ~HsmSession();

  CK_FUNCTION_LIST* fn() const { return module_->fn(); }
  CK_SESSION_HANDLE session() const { return session_.get(); }
  const CK_TOKEN_INFO& token_info() const { return info_; }
  // TokenUri is the token's PKCS#11 URI (model, manufacturer, serial, token).
  std::string TokenUri() const;

  // FindKey returns the private key labelled |label| with its public key.
  // NOT_FOUND if there is none, INVALID_ARGUMENT if several share the label.
  StatusOr<LocatedKey> FindKey(const std::string& label);

 private:
  HsmSession(std::shared_ptr<Module> module, Session session, const CK_TOKEN_INFO& info, bool logged_in)
      : module_(std::move(module)), session_(std::move(session)), info_(info), logged_in_(logged_in) {}

  std::shared_ptr<Module> module_;
  Session session_;
  CK_TOKEN_INFO info_;
  bool logged_in_;
};

// ObjectUri returns the full URI of an object on the token of |info|.
std::string ObjectUri(const CK_TOKEN_INFO& info, const std::string& label, const std::string& id,
                      CK_OBJECT_CLASS cls);

}  // namespace pki::signerctl

#endif  // PKI_SIGNER_TOOLS_SIGNERCTL_HSM_SESSION_H_
