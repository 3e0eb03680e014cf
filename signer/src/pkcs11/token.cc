#include "token.h"

#include <algorithm>

#include "common/file.h"
#include "errors.h"

namespace pki::signer::internal {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};

int64_t WallNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Token::Token(std::shared_ptr<Module> module, CK_SLOT_ID slot, const CK_TOKEN_INFO& info,
             std::string pin_file, uint32_t sessions)
    : module_(std::move(module)),
      fn_(module_->fn()),
      slot_(slot),
      uri_(TokenUriOf(info)),
      label_(PaddedField(info.label, sizeof(info.label))),
      pin_file_(std::move(pin_file)),
      since_unix_(WallNow()),
      sessions_(SessionPool::Create(module_->fn(), slot, sessions, 4096)) {}

Token::~Token() {
  sessions_.reset();  // workers first: they use the login held by the anchor
  std::lock_guard<std::mutex> lock(mu_);
  anchor_.Close();
}

StatusOr<std::unique_ptr<Token>> Token::Open(std::shared_ptr<Module> module, CK_SLOT_ID slot,
                                             const CK_TOKEN_INFO& info, std::string pin_file,
                                             uint32_t sessions, std::string* out_detail) {
  std::unique_ptr<Token> token(
      new Token(std::move(module), slot, info, std::move(pin_file), sessions));
  CK_ULONG count = 0;
  if (token->fn_->C_GetMechanismList(slot, nullptr, &count) == CKR_OK) {
    token->mechanisms_.resize(count);
    if (token->fn_->C_GetMechanismList(slot, token->mechanisms_.data(), &count) == CKR_OK) {
      token->mechanisms_.resize(count);
    } else {
      token->mechanisms_.clear();
    }
  }
  std::lock_guard<std::mutex> lock(token->mu_);
  StatusOr<Session> anchor = Session::Open(token->fn_, slot, /*rw=*/false, out_detail);
  if (!anchor.ok()) {
    return Status(anchor.status().code(), "cannot open a session on token ")
        .Append(token->uri_);
  }
  token->anchor_ = std::move(anchor).value();
  PKI_RETURN_IF_ERROR(token->LoginLocked(out_detail));
  return token;
}

pki::Status Token::LoginLocked(std::string* out_detail) {
  PKI_ASSIGN_OR_RETURN(SecretBuffer pin, ReadSecretFile(pin_file_));
  ByteSpan pin_bytes = pin.View(SecretAccess::Grant());
  CK_RV rv = fn_->C_Login(anchor_.get(), CKU_USER, const_cast<CK_UTF8CHAR*>(pin_bytes.data()),
                          static_cast<CK_ULONG>(pin_bytes.size()));
  if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return OkStatus();
  pki::Status s = RvToStatus("C_Login", rv, out_detail);
  return pki::Status(s.code(), "cannot log in to token ").Append(uri_).Append(": ").Append(s.message());
}

bool Token::SupportsMechanism(CK_MECHANISM_TYPE mech) const {
  if (std::find(mechanisms_.begin(), mechanisms_.end(), mech) == mechanisms_.end()) return false;
  CK_MECHANISM_INFO info{};
  if (fn_->C_GetMechanismInfo(slot_, mech, &info) != CKR_OK) return false;
  return (info.flags & CKF_SIGN) != 0;
}

StatusOr<LocatedKey> Token::LocateKey(const Pkcs11Uri& uri, std::string* out_detail) {
  std::lock_guard<std::mutex> lock(mu_);
  PKI_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE handle,
                       FindPrivateKey(fn_, anchor_.get(), uri, out_detail));
  return ReadKey(fn_, anchor_.get(), handle, out_detail);
}

size_t Token::AddKey(const Pkcs11Uri& uri, const LocatedKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_.push_back(KeySlot{uri, key.handle, key.public_key.spki_der, key.public_key.kind});
  return keys_.size() - 1;
}

SessionPool::Result Token::Sign(size_t key_index, const SignPlan& plan,
                                Clock::time_point start_by, Clock::time_point finish_by) {
  CK_OBJECT_HANDLE handle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    handle = keys_.at(key_index).handle;
  }
  CK_FUNCTION_LIST* fn = fn_;
  // The work owns a copy of the plan: it may run after the caller gave up.
  auto work = [fn, handle, plan = SignPlan(plan)](CK_SESSION_HANDLE session, std::string* out) mutable -> CK_RV {
    CK_MECHANISM mech = plan.Mechanism();
    CK_RV rv = fn->C_SignInit(session, &mech, handle);
    if (rv != CKR_OK) return rv;
    unsigned char sig[1024];  // RSA-8192 fits; one call, no length query
    CK_ULONG sig_len = sizeof(sig);
    rv = fn->C_Sign(session, reinterpret_cast<CK_BYTE*>(plan.data.data()),
                    static_cast<CK_ULONG>(plan.data.size()), sig, &sig_len);
    if (rv == CKR_OK) out->assign(reinterpret_cast<const char*>(sig), sig_len);
    return rv;
  };
  return sessions_->Run(std::move(work), start_by, finish_by);
}

pki::Status Token::RefindLocked(bool check_keys, std::string* out_detail) {
  for (KeySlot& key : keys_) {
    PKI_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE handle,
                         FindPrivateKey(fn_, anchor_.get(), key.uri, out_detail));
    if (check_keys) {
      PKI_ASSIGN_OR_RETURN(LocatedKey located, ReadKey(fn_, anchor_.get(), handle, out_detail));
      if (located.public_key.spki_der != key.spki) {
        return FailedPreconditionError("key changed on token: ").Append(key.uri.ToString());
      }
    }
    key.handle = handle;
  }
  return OkStatus();
}

pki::Status Token::Relogin(std::string* out_detail) {
  std::lock_guard<std::mutex> lock(mu_);
  PKI_RETURN_IF_ERROR(LoginLocked(out_detail));
  return RefindLocked(/*check_keys=*/false, out_detail);
}

pki::Status Token::Reinitialize(std::string* out_detail) {
  std::lock_guard<std::mutex> lock(mu_);
  reinitializations_.fetch_add(1);
  sessions_->Invalidate();
  anchor_.Forget();
  CK_RV rv = fn_->C_CloseAllSessions(slot_);
  if (rv != CKR_OK && rv != CKR_SESSION_HANDLE_INVALID) {
    return RvToStatus("C_CloseAllSessions", rv, out_detail);
  }
  sessions_->Invalidate();  // sessions opened during the call are gone too
  CK_TOKEN_INFO info{};
  rv = fn_->C_GetTokenInfo(slot_, &info);
  if (rv != CKR_OK) return RvToStatus("C_GetTokenInfo", rv, out_detail);
  if (TokenUriOf(info) != uri_) return UnavailableError("another token is in the slot");
  PKI_ASSIGN_OR_RETURN(anchor_, Session::Open(fn_, slot_, /*rw=*/false, out_detail));
  PKI_RETURN_IF_ERROR(LoginLocked(out_detail));
  return RefindLocked(/*check_keys=*/true, out_detail);
}

pki::Status Token::Probe(Clock::time_point deadline, std::string* out_detail, std::string* out_reason) {
  std::string ignored;
  std::string& reason = out_reason != nullptr ? *out_reason : ignored;
  reason = "other";
  KeyKind kind;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (keys_.empty()) return OkStatus();
    kind = keys_[0].kind;
  }
  SignAlgorithm alg = AlgorithmsFor(kind).front();
  uint8_t digest[64] = {'p', 'r', 'o', 'b', 'e'};
  size_t len = DigestLength(alg) == 0 ? 32 : DigestLength(alg);
  PKI_ASSIGN_OR_RETURN(SignPlan plan, PlanSignature(alg, ByteSpan(digest, len)));
  SessionPool::Result r = Sign(0, plan, deadline, deadline);
  switch (r.kind) {
    case SessionPool::Result::Kind::kDone:
      if (r.rv == CKR_OK) return OkStatus();
      reason = ReasonOfRv(r.rv);
      return RvToStatus("probe signature", r.rv, out_detail);
    case SessionPool::Result::Kind::kNoSession:
      return ResourceExhaustedError("probe: every session busy");
    case SessionPool::Result::Kind::kTimedOut:
      reason = "timeout";
      AppendDetail(out_detail, "probe signature: no answer in time");
      return UnavailableError("probe: no answer in time");
    case SessionPool::Result::Kind::kStopped:
      break;
  }
  return UnavailableError("probe: token stopping");
}

bool Token::MarkFailed(std::string_view why, std::string_view reason) {
  failures_.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = std::string(why);
  if (!healthy_.exchange(false)) return false;
  since_unix_ = WallNow();
  reason_ = std::string(reason);
  return true;
}

void Token::MarkHealthy() {
  std::lock_guard<std::mutex> lock(mu_);
  if (healthy_.exchange(true)) return;
  since_unix_ = WallNow();
  reason_.clear();
}

void Token::RecordFailure(std::string_view why) {
  failures_.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = std::string(why);
}

void Token::ScheduleRetry(std::chrono::milliseconds max_backoff) {
  backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, max_backoff);
  next_attempt_ = Clock::now() + backoff_;
}

void Token::ResetBackoff() {
  backoff_ = std::chrono::milliseconds(0);
  next_attempt_ = Clock::time_point{};
}

TokenStatus Token::Describe() const {
  TokenStatus s;
  s.uri = uri_;
  s.module_path = module_->path();
  s.slot_id = static_cast<uint64_t>(slot_);

  s.sessions_max = sessions_->size();
  s.sessions_open = sessions_->open_sessions();
  s.queued = sessions_->queued();
  s.signatures = signatures_.load();
  s.failures = failures_.load();
  s.reinitializations = reinitializations_.load();
  std::lock_guard<std::mutex> lock(mu_);
  s.healthy = healthy_.load();  // with since/reason: changed under mu_
  s.since_unix = since_unix_;
  s.reason = s.healthy ? "" : reason_;
  s.last_error = last_error_;
  return s;
}

}  // namespace pki::signer::internal
