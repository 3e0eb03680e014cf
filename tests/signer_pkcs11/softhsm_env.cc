#include "softhsm_env.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/file.h"
#include "common/ossl.h"
#include "errors.h"
#include "hsm_session.h"
#include "keygen.h"
#include "module.h"
#include "session.h"
#include "uri.h"

#if PKI_PRODUCTION_BUILD
#error "test-only code"
#endif

extern char** environ;

// Under LeakSanitizer: SoftHSMv2 2.6.1 leaks inside libsofthsm2.so (see
// lsan.supp). These hooks cover the test process; SoftHsmEnv sets
// LSAN_OPTIONS for the programs it starts (signerctl, pkcs11-tool).
extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_suppressions() {
  return "leak:libsofthsm2.so\n";
}
extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_options() {
  return "fast_unwind_on_malloc=0";
}

namespace pki::testing {
namespace {

using signer::internal::Module;
using signer::internal::Session;

void Die(const std::string& what) {
  std::fprintf(stderr, "SoftHsmEnv: %s\n", what.c_str());
  std::abort();
}

CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE type, const void* value, size_t len) {
  CK_ATTRIBUTE a{};
  a.type = type;
  a.pValue = const_cast<void*>(value);
  a.ulValueLen = static_cast<CK_ULONG>(len);
  return a;
}

}  // namespace

SoftHsmEnv::SoftHsmEnv() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "pki-softhsm-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp failed");
  dir_ = tmpl;
  std::filesystem::create_directory(dir_ + "/tokens");
  {
    std::ofstream conf(dir_ + "/softhsm2.conf");
    conf << "directories.tokendir = " << dir_ << "/tokens\n"
         << "objectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n";
  }
  setenv("SOFTHSM2_CONF", (dir_ + "/softhsm2.conf").c_str(), 1);
  setenv("LSAN_OPTIONS", "suppressions=" PKI_SIGNER_PKCS11_LSAN_SUPP ":fast_unwind_on_malloc=0", 1);
  pin_file_ = dir_ + "/user.pin";
  if (!WriteFileAtomic(pin_file_, AsBytes(kUserPin), 0600).ok()) Die("cannot write pin file");
}

SoftHsmEnv::~SoftHsmEnv() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Status SoftHsmEnv::InitToken(const std::string& label) {
  std::string detail;
  PKI_ASSIGN_OR_RETURN(std::shared_ptr<Module> module, Module::Load(kSoftHsmModule, &detail));
  CK_FUNCTION_LIST* fn = module->fn();
  CK_ULONG count = 0;
  if (fn->C_GetSlotList(CK_FALSE, nullptr, &count) != CKR_OK) return InternalError("slot list");
  std::vector<CK_SLOT_ID> slots(count);
  if (fn->C_GetSlotList(CK_FALSE, slots.data(), &count) != CKR_OK) return InternalError("slot list");
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    if (fn->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    if ((info.flags & CKF_TOKEN_INITIALIZED) != 0) continue;
    unsigned char padded[32];
    std::memset(padded, ' ', sizeof(padded));
    std::memcpy(padded, label.data(), std::min(label.size(), sizeof(padded)));
    std::string so_pin = "so-pin-5678";
    CK_RV rv = fn->C_InitToken(slot, reinterpret_cast<CK_UTF8CHAR*>(so_pin.data()),
                               static_cast<CK_ULONG>(so_pin.size()), padded);
    if (rv != CKR_OK) return InternalError(signer::internal::RvDetail("C_InitToken", rv));
    // The token moved to a new slot id: find it by label.
    std::vector<CK_SLOT_ID> now(16);
    CK_ULONG n = 16;
    if (fn->C_GetSlotList(CK_TRUE, now.data(), &n) != CKR_OK) return InternalError("slot list");
    for (CK_ULONG i = 0; i < n; ++i) {
      CK_TOKEN_INFO ti{};
      if (fn->C_GetTokenInfo(now[i], &ti) != CKR_OK) continue;
      if (signer::internal::PaddedField(ti.label, sizeof(ti.label)) != label) continue;
      PKI_ASSIGN_OR_RETURN(Session s, Session::Open(fn, now[i], true, &detail));
      rv = fn->C_Login(s.get(), CKU_SO, reinterpret_cast<CK_UTF8CHAR*>(so_pin.data()),
                       static_cast<CK_ULONG>(so_pin.size()));
      if (rv != CKR_OK) return InternalError(signer::internal::RvDetail("C_Login SO", rv));
      std::string pin = kUserPin;
      rv = fn->C_InitPIN(s.get(), reinterpret_cast<CK_UTF8CHAR*>(pin.data()),
                         static_cast<CK_ULONG>(pin.size()));
      fn->C_Logout(s.get());
      if (rv != CKR_OK) return InternalError(signer::internal::RvDetail("C_InitPIN", rv));
      return OkStatus();
    }
    return InternalError("initialized token not found");
  }
  return InternalError("no free slot");
}

StatusOr<std::string> SoftHsmEnv::GenerateKey(const std::string& token, const std::string& label,
                                              const std::string& type) {
  PKI_ASSIGN_OR_RETURN(signerctl::KeyType kt, signerctl::ParseKeyType(type));
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<signerctl::HsmSession> hsm,
                       signerctl::HsmSession::Open(kSoftHsmModule, token, pin_file_));
  PKI_ASSIGN_OR_RETURN(signerctl::GeneratedKey key, signerctl::GenerateKey(*hsm, label, kt));
  return key.private_uri;
}

Status SoftHsmEnv::ImportEcKey(const std::string& token, const std::string& label,
                               const std::string& id, const std::string& pem, bool extractable) {
  OsslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  OsslPtr<EVP_PKEY> pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return OsslError(StatusCode::kInvalidArgument, "test key");
  BIGNUM* priv_raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &priv_raw) != 1) {
    return OsslError(StatusCode::kInternal, "private scalar");
  }
  OsslPtr<BIGNUM> priv(priv_raw);
  std::string scalar(32, '\0');
  BN_bn2binpad(priv.get(), reinterpret_cast<unsigned char*>(scalar.data()), 32);
  unsigned char point[65];
  size_t point_len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point),
                                      &point_len) != 1) {
    return OsslError(StatusCode::kInternal, "public point");
  }
  std::string point_der = std::string("\x04\x41", 2) + std::string(reinterpret_cast<char*>(point), point_len);
  static const uint8_t kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

  PKI_ASSIGN_OR_RETURN(std::unique_ptr<signerctl::HsmSession> hsm,
                       signerctl::HsmSession::Open(kSoftHsmModule, token, pin_file_));
  const CK_BBOOL yes = CK_TRUE;
  const CK_BBOOL no = CK_FALSE;
  const CK_BBOOL ext = extractable ? CK_TRUE : CK_FALSE;
  const CK_BBOOL sens = extractable ? CK_FALSE : CK_TRUE;
  CK_OBJECT_CLASS priv_class = CKO_PRIVATE_KEY;
  CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY;
  CK_KEY_TYPE type = CKK_EC;
  std::vector<CK_ATTRIBUTE> priv_tmpl = {
      Attr(CKA_CLASS, &priv_class, sizeof(priv_class)), Attr(CKA_KEY_TYPE, &type, sizeof(type)),
      Attr(CKA_TOKEN, &yes, sizeof(yes)),               Attr(CKA_PRIVATE, &yes, sizeof(yes)),
      Attr(CKA_SENSITIVE, &sens, sizeof(sens)),         Attr(CKA_EXTRACTABLE, &ext, sizeof(ext)),
      Attr(CKA_SIGN, &yes, sizeof(yes)),                Attr(CKA_LABEL, label.data(), label.size()),
      Attr(CKA_ID, id.data(), id.size()),               Attr(CKA_EC_PARAMS, kP256, sizeof(kP256)),
      Attr(CKA_VALUE, scalar.data(), scalar.size()),
  };
  std::vector<CK_ATTRIBUTE> pub_tmpl = {
      Attr(CKA_CLASS, &pub_class, sizeof(pub_class)), Attr(CKA_KEY_TYPE, &type, sizeof(type)),
      Attr(CKA_TOKEN, &yes, sizeof(yes)),             Attr(CKA_PRIVATE, &no, sizeof(no)),
      Attr(CKA_VERIFY, &yes, sizeof(yes)),            Attr(CKA_LABEL, label.data(), label.size()),
      Attr(CKA_ID, id.data(), id.size()),             Attr(CKA_EC_PARAMS, kP256, sizeof(kP256)),
      Attr(CKA_EC_POINT, point_der.data(), point_der.size()),
  };
  CK_OBJECT_HANDLE h = 0;
  CK_RV rv = hsm->fn()->C_CreateObject(hsm->session(), priv_tmpl.data(),
                                       static_cast<CK_ULONG>(priv_tmpl.size()), &h);
  SecureZero(scalar.data(), scalar.size());
  if (rv != CKR_OK) return InternalError(signer::internal::RvDetail("C_CreateObject private", rv));
  rv = hsm->fn()->C_CreateObject(hsm->session(), pub_tmpl.data(),
                                 static_cast<CK_ULONG>(pub_tmpl.size()), &h);
  if (rv != CKR_OK) return InternalError(signer::internal::RvDetail("C_CreateObject public", rv));
  return OkStatus();
}

signer::PoolConfig SoftHsmEnv::Config(const std::string& module,
                                      const std::vector<std::string>& tokens) const {
  signer::PoolConfig config;
  config.module_paths = {module};
  for (const std::string& t : tokens) {
    config.logins.push_back(signer::TokenLogin{"pkcs11:token=" + t, pin_file_});
  }
  return config;
}

std::string NewEcP256Pem() {
  OsslPtr<EVP_PKEY> pkey(EVP_EC_gen("P-256"));
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

int RunCommand(const std::vector<std::string>& argv, std::string* out,
               const std::vector<std::string>& env) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipefd[0]);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const std::string& e : env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipefd[1]);
  if (rc != 0) {
    close(pipefd[0]);
    return -1;
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof(buf))) > 0) out->append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace pki::testing
