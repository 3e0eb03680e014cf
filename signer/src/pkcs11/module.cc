#include "module.h"

#include <dlfcn.h>

#include <map>
#include <mutex>

#include "errors.h"

namespace pki::signer::internal {
namespace {

// The process-wide registry of loaded modules: PKCS#11 allows one
// C_Initialize per module and process, so two pools share one instance.
std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, std::weak_ptr<Module>>& Registry() {
  static std::map<std::string, std::weak_ptr<Module>> modules;
  return modules;
}

}  // namespace

Module::Module(std::string path, void* handle, CK_FUNCTION_LIST* fn)
    : path_(std::move(path)), handle_(handle), fn_(fn) {}

Module::~Module() {
  // Under the registry lock, so a concurrent Load of the same path waits for
  // C_Finalize before calling C_Initialize again.
  std::lock_guard<std::mutex> lock(RegistryMutex());
  if (finalize_) fn_->C_Finalize(nullptr);
  // The library stays mapped (RTLD_NODELETE): some modules register atexit
  // handlers or keep threads that must not outlive their code.
  dlclose(handle_);
}

StatusOr<std::shared_ptr<Module>> Module::Load(const std::string& path, std::string* out_detail) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto& registry = Registry();
  if (auto it = registry.find(path); it != registry.end()) {
    if (std::shared_ptr<Module> live = it->second.lock()) return live;
  }
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    const char* err = dlerror();
    return NotFoundError("cannot load PKCS#11 module ")
        .Append(path)
        .Append(": ")
        .Append(err != nullptr ? err : "unknown error");
  }
  using GetFunctionList = CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR);
  auto get = reinterpret_cast<GetFunctionList>(dlsym(handle, "C_GetFunctionList"));
  if (get == nullptr) {
    dlclose(handle);
    return InvalidArgumentError("not a PKCS#11 module (no C_GetFunctionList): ").Append(path);
  }
  CK_FUNCTION_LIST* fn = nullptr;
  CK_RV rv = get(&fn);
  if (rv != CKR_OK || fn == nullptr) {
    dlclose(handle);
    AppendDetail(out_detail, RvDetail("C_GetFunctionList " + path, rv));
    return UnavailableError("C_GetFunctionList failed for module ").Append(path);
  }
  std::shared_ptr<Module> module(new Module(path, handle, fn));
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;  // without it SoftHSMv2 runs with no locks
  rv = fn->C_Initialize(&args);
  if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    // Someone else in this process (not through us) initialized it: use it,
    // but leave C_Finalize to them.
    module->finalize_ = false;
  } else if (rv != CKR_OK) {
    module->finalize_ = false;
    AppendDetail(out_detail, RvDetail("C_Initialize " + path, rv));
    return UnavailableError("cannot initialize PKCS#11 module ").Append(path);
  }
  rv = fn->C_GetInfo(&module->info_);
  if (rv != CKR_OK) {
    AppendDetail(out_detail, RvDetail("C_GetInfo " + path, rv));
    return UnavailableError("C_GetInfo failed for PKCS#11 module ").Append(path);
  }
  registry[path] = module;
  return module;
}

StatusOr<std::vector<CK_SLOT_ID>> Module::SlotsWithTokens(std::string* out_detail) const {
  for (int attempt = 0; attempt < 4; ++attempt) {
    CK_ULONG count = 0;
    CK_RV rv = fn_->C_GetSlotList(CK_TRUE, nullptr, &count);
    if (rv != CKR_OK) return RvToStatus("C_GetSlotList", rv, out_detail);
    std::vector<CK_SLOT_ID> slots(count);
    rv = fn_->C_GetSlotList(CK_TRUE, slots.data(), &count);
    if (rv == CKR_BUFFER_TOO_SMALL) continue;  // a token appeared meanwhile
    if (rv != CKR_OK) return RvToStatus("C_GetSlotList", rv, out_detail);
    slots.resize(count);
    return slots;
  }
  return UnavailableError("C_GetSlotList: slot list keeps changing");
}

}  // namespace pki::signer::internal
