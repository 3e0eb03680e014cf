// module.h — one loaded PKCS#11 module (dlopen + C_GetFunctionList +
// C_Initialize with CKF_OS_LOCKING_OK; C_Finalize when the last user drops it).
//
// A module is loaded once per process and path: Load returns the live
// instance if there is one (PKCS#11 allows one C_Initialize per process).
// Do not fork after loading.
#ifndef PKI_SIGNER_SRC_PKCS11_MODULE_H_
#define PKI_SIGNER_SRC_PKCS11_MODULE_H_

#include <memory>
#include <string>
#include <vector>

#include "base/status_or.h"
#include "p11.h"

namespace pki::signer::internal {

class Module final {
 public:
  // Load returns the module at |path|, loading and initializing it if no
  // other user holds it. NOT_FOUND if dlopen fails (the message names the
  // path and dlerror), INVALID_ARGUMENT if it exports no C_GetFunctionList,
  // UNAVAILABLE if C_Initialize fails (CKR name in |*out_detail|). Ownership
  // is shared: the module is finalized and unloaded with its last user.
  static StatusOr<std::shared_ptr<Module>> Load(const std::string& path, std::string* out_detail);

  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The function list, valid while this module lives (borrowed).
  CK_FUNCTION_LIST* fn() const { return fn_; }
  const std::string& path() const { return path_; }
  const CK_INFO& info() const { return info_; }

  // SlotsWithTokens returns the slots that hold a token now; UNAVAILABLE on
  // a failing C_GetSlotList.
  StatusOr<std::vector<CK_SLOT_ID>> SlotsWithTokens(std::string* out_detail) const;

 private:
  Module(std::string path, void* handle, CK_FUNCTION_LIST* fn);

  std::string path_;
  void* handle_;
  CK_FUNCTION_LIST* fn_;
  CK_INFO info_{};
  bool finalize_ = true;
};

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_SRC_PKCS11_MODULE_H_
