// faulty_pkcs11 — a PKCS#11 module for tests that forwards every call to a
// real module and fails on command.
//
//   FAULTY_PKCS11_TARGET   path of the real module (e.g. libsofthsm2.so)
//   FAULTY_PKCS11_CONTROL  path of the control file (may be absent: no faults)
//
// The control file is re-read whenever its mtime or size changes (checked on
// every call with stat(2)), so a test can flip faults while load runs. One
// directive per line, '#' starts a comment:
//
//   token=<label>              faults apply only to the token with this label
//   sign=CKR_DEVICE_ERROR      C_SignInit and C_Sign return this
//   all=CKR_DEVICE_REMOVED     every intercepted call on the token returns this
//   hang_ms=3000               C_Sign sleeps this long, then forwards
//   session_invalid=N          the next N C_Sign calls return CKR_SESSION_HANDLE_INVALID
//   not_logged_in=N            the next N C_Sign calls return CKR_USER_NOT_LOGGED_IN
//
// Calls without a slot or session (C_GetSlotList, C_Initialize...) are never
// failed. Test-only code: refuses to build in a production build.
#include <dlfcn.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <p11-kit/pkcs11.h>

#if PKI_PRODUCTION_BUILD
#error "faulty_pkcs11 is a test double and must not be built in production"
#endif

namespace {

struct Faults {
  std::string token;  // empty: every token
  CK_RV sign = CKR_OK;
  CK_RV all = CKR_OK;
  long hang_ms = 0;
  long session_invalid = 0;
  long not_logged_in = 0;
};

struct State {
  std::mutex mu;
  CK_FUNCTION_LIST* target = nullptr;
  CK_FUNCTION_LIST list{};
  Faults faults;
  std::string control_path;
  timespec control_mtime{};
  off_t control_size = -1;
  std::map<CK_SESSION_HANDLE, CK_SLOT_ID> session_slot;
  std::map<CK_SLOT_ID, std::string> slot_label;
};

State& S() {
  static State* state = new State();  // never destroyed: calls may come late
  return *state;
}

CK_RV ParseRv(const std::string& name) {
  static const std::map<std::string, CK_RV> kNames = {
      {"CKR_OK", CKR_OK},
      {"CKR_GENERAL_ERROR", CKR_GENERAL_ERROR},
      {"CKR_DEVICE_ERROR", CKR_DEVICE_ERROR},
      {"CKR_DEVICE_MEMORY", CKR_DEVICE_MEMORY},
      {"CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED},
      {"CKR_TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT},
      {"CKR_SESSION_HANDLE_INVALID", CKR_SESSION_HANDLE_INVALID},
      {"CKR_SESSION_CLOSED", CKR_SESSION_CLOSED},
      {"CKR_USER_NOT_LOGGED_IN", CKR_USER_NOT_LOGGED_IN},
      {"CKR_OBJECT_HANDLE_INVALID", CKR_OBJECT_HANDLE_INVALID},
      {"CKR_KEY_HANDLE_INVALID", CKR_KEY_HANDLE_INVALID},
      {"CKR_FUNCTION_FAILED", CKR_FUNCTION_FAILED},
  };
  auto it = kNames.find(name);
  if (it != kNames.end()) return it->second;
  std::fprintf(stderr, "faulty_pkcs11: unknown CKR name '%s', using CKR_GENERAL_ERROR\n",
               name.c_str());
  return CKR_GENERAL_ERROR;
}

// Reload re-reads the control file if it changed. mu must be held.
void ReloadLocked(State& s) {
  if (s.control_path.empty()) return;
  struct stat st {};
  if (stat(s.control_path.c_str(), &st) != 0) {
    if (s.control_size != -1) s.faults = Faults{};
    s.control_size = -1;
    return;
  }
  if (st.st_size == s.control_size && st.st_mtim.tv_sec == s.control_mtime.tv_sec &&
      st.st_mtim.tv_nsec == s.control_mtime.tv_nsec) {
    return;
  }
  s.control_size = st.st_size;
  s.control_mtime = st.st_mtim;
  Faults f;
  std::ifstream in(s.control_path);
  std::string line;
  while (std::getline(in, line)) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    std::string value = line.substr(eq + 1);
    if (key == "token") {
      f.token = value;
    } else if (key == "sign") {
      f.sign = ParseRv(value);
    } else if (key == "all") {
      f.all = ParseRv(value);
    } else if (key == "hang_ms") {
      f.hang_ms = std::atol(value.c_str());
    } else if (key == "session_invalid") {
      f.session_invalid = std::atol(value.c_str());
    } else if (key == "not_logged_in") {
      f.not_logged_in = std::atol(value.c_str());
    }
  }
  s.faults = f;
}

std::string LabelOfLocked(State& s, CK_SLOT_ID slot) {
  auto it = s.slot_label.find(slot);
  if (it != s.slot_label.end()) return it->second;
  CK_TOKEN_INFO info{};
  if (s.target->C_GetTokenInfo(slot, &info) != CKR_OK) return "";
  size_t n = sizeof(info.label);
  while (n > 0 && info.label[n - 1] == ' ') --n;
  std::string label(reinterpret_cast<const char*>(info.label), n);
  s.slot_label[slot] = label;
  return label;
}

enum class Op { kOther, kSignInit, kSign };

// Fault returns the CK_RV to fail a call on |slot| with (CKR_OK: forward),
// and how long to sleep first.
CK_RV FaultForSlot(CK_SLOT_ID slot, Op op, long* hang_ms) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  ReloadLocked(s);
  Faults& f = s.faults;
  if (!f.token.empty() && LabelOfLocked(s, slot) != f.token) return CKR_OK;
  if (f.all != CKR_OK) return f.all;
  if (op == Op::kOther) return CKR_OK;
  if (f.sign != CKR_OK) return f.sign;
  if (op == Op::kSign) {
    if (f.session_invalid > 0) {
      --f.session_invalid;
      return CKR_SESSION_HANDLE_INVALID;
    }
    if (f.not_logged_in > 0) {
      --f.not_logged_in;
      return CKR_USER_NOT_LOGGED_IN;
    }
    if (hang_ms != nullptr) *hang_ms = f.hang_ms;
  }
  return CKR_OK;
}

CK_RV FaultForSession(CK_SESSION_HANDLE session, Op op, long* hang_ms) {
  CK_SLOT_ID slot;
  {
    State& s = S();
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.session_slot.find(session);
    if (it == s.session_slot.end()) return CKR_OK;  // the target will judge it
    slot = it->second;
  }
  return FaultForSlot(slot, op, hang_ms);
}

CK_FUNCTION_LIST* T() { return S().target; }

#define FAIL_SLOT(slot)                                          \
  do {                                                           \
    CK_RV fault_rv = FaultForSlot((slot), Op::kOther, nullptr);  \
    if (fault_rv != CKR_OK) return fault_rv;                     \
  } while (0)
#define FAIL_SESSION(session)                                          \
  do {                                                                 \
    CK_RV fault_rv = FaultForSession((session), Op::kOther, nullptr);  \
    if (fault_rv != CKR_OK) return fault_rv;                           \
  } while (0)

CK_RV GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
  FAIL_SLOT(slot);
  return T()->C_GetSlotInfo(slot, info);
}
CK_RV GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  FAIL_SLOT(slot);
  return T()->C_GetTokenInfo(slot, info);
}
CK_RV GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
  FAIL_SLOT(slot);
  return T()->C_GetMechanismList(slot, list, count);
}
CK_RV GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
  FAIL_SLOT(slot);
  return T()->C_GetMechanismInfo(slot, type, info);
}
CK_RV OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, void* app, CK_NOTIFY notify,
                  CK_SESSION_HANDLE_PTR session) {
  FAIL_SLOT(slot);
  CK_RV rv = T()->C_OpenSession(slot, flags, app, notify, session);
  if (rv == CKR_OK) {
    std::lock_guard<std::mutex> lock(S().mu);
    S().session_slot[*session] = slot;
  }
  return rv;
}
CK_RV CloseSession(CK_SESSION_HANDLE session) {
  FAIL_SESSION(session);
  CK_RV rv = T()->C_CloseSession(session);
  std::lock_guard<std::mutex> lock(S().mu);
  S().session_slot.erase(session);
  return rv;
}
CK_RV CloseAllSessions(CK_SLOT_ID slot) {
  FAIL_SLOT(slot);
  CK_RV rv = T()->C_CloseAllSessions(slot);
  std::lock_guard<std::mutex> lock(S().mu);
  for (auto it = S().session_slot.begin(); it != S().session_slot.end();) {
    it = it->second == slot ? S().session_slot.erase(it) : std::next(it);
  }
  return rv;
}
CK_RV Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
  FAIL_SESSION(session);
  return T()->C_Login(session, user, pin, len);
}
CK_RV FindObjectsInit(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
  FAIL_SESSION(session);
  return T()->C_FindObjectsInit(session, tmpl, count);
}
CK_RV FindObjects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR objects, CK_ULONG max,
                  CK_ULONG_PTR count) {
  FAIL_SESSION(session);
  return T()->C_FindObjects(session, objects, max, count);
}
CK_RV FindObjectsFinal(CK_SESSION_HANDLE session) {
  FAIL_SESSION(session);
  return T()->C_FindObjectsFinal(session);
}
CK_RV GetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                        CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
  FAIL_SESSION(session);
  return T()->C_GetAttributeValue(session, object, tmpl, count);
}
CK_RV SignInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key) {
  CK_RV fault = FaultForSession(session, Op::kSignInit, nullptr);
  if (fault != CKR_OK) return fault;
  return T()->C_SignInit(session, mech, key);
}
CK_RV Sign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
           CK_ULONG_PTR sig_len) {
  long hang_ms = 0;
  CK_RV fault = FaultForSession(session, Op::kSign, &hang_ms);
  if (fault != CKR_OK) {
    // End the operation C_SignInit started, as a failing C_Sign would.
    unsigned char scratch[1024];
    CK_ULONG n = sizeof(scratch);
    T()->C_Sign(session, data, len, scratch, &n);
    return fault;
  }
  if (hang_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hang_ms));
  return T()->C_Sign(session, data, len, sig, sig_len);
}

// Initialize re-reads FAULTY_PKCS11_CONTROL and forgets what it learned
// about slots and sessions (a test may finalize and initialize again).
CK_RV Initialize(void* args) {
  {
    State& s = S();
    std::lock_guard<std::mutex> lock(s.mu);
    const char* control = std::getenv("FAULTY_PKCS11_CONTROL");
    s.control_path = control != nullptr ? control : "";
    s.control_size = -1;
    s.control_mtime = timespec{};
    s.faults = Faults{};
    s.session_slot.clear();
    s.slot_label.clear();
  }
  return T()->C_Initialize(args);
}

CK_RV LoadTarget() {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.target != nullptr) return CKR_OK;
  const char* path = std::getenv("FAULTY_PKCS11_TARGET");
  if (path == nullptr) {
    std::fprintf(stderr, "faulty_pkcs11: FAULTY_PKCS11_TARGET is not set\n");
    return CKR_GENERAL_ERROR;
  }
  void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    std::fprintf(stderr, "faulty_pkcs11: cannot load %s: %s\n", path, dlerror());
    return CKR_GENERAL_ERROR;
  }
  using GetList = CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR);
  auto get = reinterpret_cast<GetList>(dlsym(handle, "C_GetFunctionList"));
  if (get == nullptr || get(&s.target) != CKR_OK || s.target == nullptr) {
    s.target = nullptr;
    return CKR_GENERAL_ERROR;
  }
  s.list = *s.target;  // forward everything not intercepted below
  s.list.C_Initialize = Initialize;
  s.list.C_GetSlotInfo = GetSlotInfo;
  s.list.C_GetTokenInfo = GetTokenInfo;
  s.list.C_GetMechanismList = GetMechanismList;
  s.list.C_GetMechanismInfo = GetMechanismInfo;
  s.list.C_OpenSession = OpenSession;
  s.list.C_CloseSession = CloseSession;
  s.list.C_CloseAllSessions = CloseAllSessions;
  s.list.C_Login = Login;
  s.list.C_FindObjectsInit = FindObjectsInit;
  s.list.C_FindObjects = FindObjects;
  s.list.C_FindObjectsFinal = FindObjectsFinal;
  s.list.C_GetAttributeValue = GetAttributeValue;
  s.list.C_SignInit = SignInit;
  s.list.C_Sign = Sign;
  return CKR_OK;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) CK_RV C_GetFunctionList(
    CK_FUNCTION_LIST_PTR_PTR list) {
  if (list == nullptr) return CKR_ARGUMENTS_BAD;
  CK_RV rv = LoadTarget();
  if (rv != CKR_OK) return rv;
  S().list.C_GetFunctionList = C_GetFunctionList;
  *list = &S().list;
  return CKR_OK;
}
