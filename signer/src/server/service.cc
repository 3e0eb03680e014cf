#include "server/service.h"

#include <openssl/sha.h>

#include <algorithm>
#include <map>

#include "base/crc32.h"
#include "base/hex.h"
#include "common/pem.h"
#include "policy/peer_identity.h"
#include "server/convert.h"

namespace pki::signer {

struct SignerService::Caller {
  std::shared_ptr<const Policy> policy;  // the policy this request is decided under
  const ClientPolicy* client = nullptr;  // points into *policy
  std::string label;                     // for the audit log
};

namespace {

std::string Sha256Hex(std::string_view data) {
  uint8_t h[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), h);
  return HexOf(std::string_view(reinterpret_cast<const char*>(h), sizeof(h)));
}

// Unhex decodes lower/upper-case hex; false if it is not hex.
bool Unhex(std::string_view hex, std::string& out) {
  out.assign(hex.size() / 2, '\0');
  return HexDecode(MutableByteSpan(reinterpret_cast<uint8_t*>(out.data()), out.size()), hex).ok();
}

ApiError Ok() { return ApiError{OkStatus(), "", std::chrono::milliseconds(0)}; }

// A PERMISSION_DENIED from the policy carries its own reason.
ApiError FromPolicy(const Status& s) {
  if (s.code() == StatusCode::kNotFound) return MakeError(NotFoundError(kKeyNotFoundMessage), "KEY_NOT_FOUND");
  if (s.code() == StatusCode::kPermissionDenied) {
    const bool purpose = s.message().find("certificate-issuance") != std::string_view::npos;
    return MakeError(s, purpose ? "KEY_PURPOSE_MISMATCH" : "OPERATION_NOT_PERMITTED");
  }
  return MakeError(s);
}

}  // namespace

SignerService::SignerService(ServiceDeps deps) : deps_(std::move(deps)) {
  PKI_CHECK(deps_.pool != nullptr && deps_.audit != nullptr && deps_.policy != nullptr);
}

void SignerService::SetCrls(std::shared_ptr<const CrlSet> crls) {
  std::lock_guard<std::mutex> lock(crl_mu_);
  deps_.crls = std::move(crls);
}

std::shared_ptr<const SignerService::PeerCert> SignerService::PeerFor(std::string_view pem) {
  {
    std::lock_guard<std::mutex> lock(peer_mu_);
    auto it = peers_.find(std::string(pem));
    if (it != peers_.end()) return it->second;
  }
  auto certs = ParseCertificates(pem);
  if (!certs.ok() || certs->empty()) return nullptr;
  auto peer = std::make_shared<PeerCert>();
  auto id = PeerIdentityFromCert(*certs->front());
  peer->cert = std::move(certs->front());
  if (id.ok()) {
    peer->identity = std::move(*id);
    peer->identity_ok = true;
  }
  std::lock_guard<std::mutex> lock(peer_mu_);
  if (peers_.size() >= kPeerCacheMax) peers_.clear();  // many distinct clients: start over
  peers_.emplace(std::string(pem), peer);
  return peer;
}

ApiError SignerService::Authenticate(grpc::ServerContext& ctx, Caller& out) {
  out.policy = deps_.policy->Get();
  std::shared_ptr<const grpc::AuthContext> auth = ctx.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) {
    out.label = "(unauthenticated)";
    return MakeError(Status(StatusCode::kUnauthenticated, "client certificate required"),
                     "CLIENT_CERT_REQUIRED");
  }
  const auto pems = auth->FindPropertyValues("x509_pem_cert");
  if (pems.empty()) {
    out.label = "(no certificate)";
    return MakeError(Status(StatusCode::kUnauthenticated, "client certificate required"),
                     "CLIENT_CERT_REQUIRED");
  }
  std::shared_ptr<const PeerCert> peer = PeerFor(std::string_view(pems.front().data(), pems.front().size()));
  if (peer == nullptr) {
    out.label = "(bad certificate)";
    return MakeError(Status(StatusCode::kUnauthenticated, "client certificate unreadable"),
                     "CLIENT_CERT_INVALID");
  }
  X509& cert = *peer->cert;
  if (!peer->identity_ok) return MakeError(InternalError("identity"), "INTERNAL");
  const PeerIdentity* id = &peer->identity;
  out.label = !id->uri_sans.empty() ? id->uri_sans.front() : id->subject;
  {
    std::shared_ptr<const CrlSet> crls;
    {
      std::lock_guard<std::mutex> lock(crl_mu_);
      crls = deps_.crls;
    }
    if (crls != nullptr) {
      Status revoked = crls->Check(cert);
      if (!revoked.ok()) return MakeError(revoked, "CLIENT_CERT_REVOKED");
    }
  }
  auto client = out.policy->Identify(*id);
  if (!client.ok()) return MakeError(client.status(), "CLIENT_NOT_AUTHORIZED");
  out.client = *client;
  out.label = out.client->name;
  std::chrono::milliseconds retry{0};
  Status admitted = out.policy->Admit(*out.client, std::chrono::steady_clock::now(), &retry);
  if (!admitted.ok()) return MakeError(admitted, "RATE_LIMITED", retry);
  return Ok();
}

grpc::Status SignerService::Finish(const char* method, ApiError error, AuditRecord& rec,
                                   std::chrono::steady_clock::time_point start,
                                   std::string* out_audit_id) {
  rec.method = method;
  rec.outcome = StatusCodeName(error.status.code());
  if (!error.status.ok() && rec.detail.empty()) rec.detail = std::string(error.status.message());
  rec.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - start).count();
  auto id = deps_.audit->Append(rec);
  if (!id.ok()) {
    // Not journaled: nothing is released, whatever the outcome was.
    error = MakeError(UnavailableError("audit log unavailable: result withheld"), "AUDIT_UNAVAILABLE");
  } else if (out_audit_id != nullptr) {
    *out_audit_id = *id;
  }
  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  if (deps_.metrics != nullptr) deps_.metrics->RecordRequest(method, error.status.code(), latency);
  return ToGrpcStatus(error);
}

grpc::Status SignerService::Sign(grpc::ServerContext* ctx, const v1::SignRequest* req,
                                 v1::SignResponse* resp) {
  const auto start = std::chrono::steady_clock::now();
  AuditRecord rec;
  rec.request_id = req->request_id().substr(0, kMaxRequestIdBytes);
  rec.key = req->key_name().substr(0, 64);
  rec.key_version = req->key_version();
  Caller caller;
  ApiError err = Authenticate(*ctx, caller);
  rec.client = caller.label;
  v1::SignResponse out;
  // The pool's deadline: the configured one, or less if the client's ends sooner.
  auto deadline = deps_.sign_deadline;
  const auto client_left = std::chrono::duration_cast<std::chrono::milliseconds>(
      ctx->deadline() - std::chrono::system_clock::now());
  if (client_left < deadline) deadline = std::max(client_left, std::chrono::milliseconds(1));
  if (err.status.ok()) err = DoSign(caller, *req, deadline, out, rec);
  std::string audit_id;
  grpc::Status st = Finish("Sign", err, rec, start, &audit_id);
  if (st.ok()) {
    out.set_audit_id(audit_id);
    *resp = std::move(out);
  }
  return st;
}

ApiError SignerService::DoSign(Caller& caller, const v1::SignRequest& req,
                               std::chrono::milliseconds deadline, v1::SignResponse& resp,
                               AuditRecord& rec) {
  if (ApiError e = CheckSignFields(req); !e.status.ok()) return e;
  Status allowed = caller.policy->Authorize(*caller.client, req.key_name(), Operation::kSign);
  if (!allowed.ok()) return FromPolicy(allowed);

  auto alg = ToSignAlgorithm(req.algorithm());
  if (!alg) return MakeError(InvalidArgumentError("algorithm is required (explicit, never inferred)"));
  rec.algorithm = AlgorithmName(*alg);

  auto info = deps_.pool->Describe(req.key_name(), req.key_version());
  if (!info.ok()) {
    ApiError e = FromPool(info.status());
    rec.detail = std::string(info.status().message());
    return e;
  }
  rec.key_version = info->version;
  rec.key_id = info->key_id_hex;
  if (info->purpose != KeyPurpose::kArtifactSigning) {
    // Second check, against what the pool says the key is.
    return MakeError(PermissionDeniedError("key is a certificate-issuance key: use IssueCertificate"),
                     "KEY_PURPOSE_MISMATCH");
  }
  if (std::find(info->algorithms.begin(), info->algorithms.end(), *alg) == info->algorithms.end()) {
    return MakeError(InvalidArgumentError("the key does not support this algorithm"), "ALGORITHM_MISMATCH");
  }

  std::string_view input;
  if (ApiError e = SignInputOf(req, *alg, &input); !e.status.ok()) return e;
  rec.input_sha256 = Sha256Hex(input);
  if (ApiError e = CheckInputCrc32c(req, input); !e.status.ok()) return e;

  std::string detail;
  auto result = deps_.pool->Sign(req.key_name(), info->version, *alg, AsBytes(input), deadline,
                                 &detail);
  if (!result.ok()) {
    rec.detail = detail.empty() ? std::string(result.status().message()) : detail;
    return FromPool(result.status());
  }
  rec.key_version = result->version;
  rec.detail = result->replica;
  resp.set_signature(result->signature);
  resp.set_key_name(req.key_name());
  resp.set_key_version(result->version);
  resp.set_algorithm(ToProto(*alg));
  resp.set_signature_crc32c(Crc32c(AsBytes(result->signature)));
  resp.set_verified_input_crc32c(req.has_input_crc32c());
  return Ok();
}

grpc::Status SignerService::GetPublicKey(grpc::ServerContext* ctx, const v1::GetPublicKeyRequest* req,
                                         v1::GetPublicKeyResponse* resp) {
  const auto start = std::chrono::steady_clock::now();
  AuditRecord rec;
  rec.key = req->key_name().substr(0, 64);
  rec.key_version = req->key_version();
  Caller caller;
  ApiError err = Authenticate(*ctx, caller);
  rec.client = caller.label;
  v1::GetPublicKeyResponse out;
  if (err.status.ok()) {
    if (req->key_name().empty()) {
      err = MakeError(InvalidArgumentError("key_name is required"));
    } else if (Status s = caller.policy->Authorize(*caller.client, req->key_name(), Operation::kGetPublicKey);
               !s.ok()) {
      err = FromPolicy(s);
    } else if (auto info = deps_.pool->Describe(req->key_name(), req->key_version()); !info.ok()) {
      rec.detail = std::string(info.status().message());
      err = FromPool(info.status());
    } else {
      rec.key_version = info->version;
      rec.key_id = info->key_id_hex;
      out.set_spki_der(info->spki_der);
      for (SignAlgorithm a : info->algorithms) out.add_algorithms(ToProto(a));
      out.set_key_version(info->version);
      for (const std::string& c : info->chain_der) out.add_certificate_chain_der(c);
      out.set_key_name(info->key_name);
      out.set_purpose(ToProto(info->purpose));
    }
  }
  grpc::Status st = Finish("GetPublicKey", err, rec, start, nullptr);
  if (st.ok()) *resp = std::move(out);
  return st;
}

grpc::Status SignerService::ListKeys(grpc::ServerContext* ctx, const v1::ListKeysRequest*,
                                     v1::ListKeysResponse* resp) {
  const auto start = std::chrono::steady_clock::now();
  AuditRecord rec;
  Caller caller;
  ApiError err = Authenticate(*ctx, caller);
  rec.client = caller.label;
  v1::ListKeysResponse out;
  if (err.status.ok()) {
    std::map<std::string, v1::KeyInfo> keys;
    for (const KeyVersionInfo& v : deps_.pool->List()) {
      const KeyGrant* grant = caller.policy->Grant(*caller.client, v.key_name);
      if (grant == nullptr) continue;  // not the caller's: not even its name
      auto [it, fresh] = keys.try_emplace(v.key_name);
      v1::KeyInfo& k = it->second;
      if (fresh) {
        k.set_name(v.key_name);
        k.set_purpose(ToProto(v.purpose));
        k.set_may_sign(grant->sign && v.purpose == KeyPurpose::kArtifactSigning);
        k.set_may_get_public_key(grant->get_public_key);
        for (SignAlgorithm a : v.algorithms) k.add_algorithms(ToProto(a));
      }
      v1::KeyVersionInfo* kv = k.add_versions();
      kv->set_version(v.version);
      kv->set_state(ToProto(v.health));
      kv->set_not_after_unix(v.not_after_unix);
      if (auto primary = deps_.pool->Describe(v.key_name, 0); primary.ok()) {
        k.set_primary_version(primary->version);
      }
    }
    for (auto& [name, k] : keys) *out.add_keys() = std::move(k);
    std::shared_ptr<IssuanceBundle> bundle = deps_.issuance != nullptr ? deps_.issuance->Get() : nullptr;
    if (bundle != nullptr) {
      for (const Profile& p : bundle->profiles) {
        if (!caller.policy->AuthorizeIssue(*caller.client, p.name).ok()) continue;
        v1::ProfileInfo* info = out.add_profiles();
        info->set_name(p.name);
        info->set_issuing_key(p.issuing_key);
        std::string raw;
        if (Unhex(ProfileHashHex(p), raw)) info->set_profile_hash(raw);
      }
    }
    rec.detail = std::to_string(out.keys_size()) + " keys, " + std::to_string(out.profiles_size()) + " profiles";
  }
  grpc::Status st = Finish("ListKeys", err, rec, start, nullptr);
  if (st.ok()) *resp = std::move(out);
  return st;
}

grpc::Status SignerService::IssueCertificate(grpc::ServerContext* ctx, const v1::IssueCertificateRequest* req,
                                             v1::IssueCertificateResponse* resp) {
  const auto start = std::chrono::steady_clock::now();
  AuditRecord rec;
  rec.request_id = req->request_id().substr(0, kMaxRequestIdBytes);
  Caller caller;
  ApiError err = Authenticate(*ctx, caller);
  rec.client = caller.label;
  v1::IssueCertificateResponse out;
  auto deadline = deps_.sign_deadline;
  const auto client_left = std::chrono::duration_cast<std::chrono::milliseconds>(
      ctx->deadline() - std::chrono::system_clock::now());
  if (client_left < deadline) deadline = std::max(client_left, std::chrono::milliseconds(1));
  // Once the engine has journaled this request's outcome (durable, with the
  // client, request id, profile, serial, names and certificate hash), that
  // record is the request's record: no third append and fdatasync.
  ScopedIssueAudit journaled(start);
  if (err.status.ok()) err = DoIssue(caller, *req, deadline, out, rec);
  std::string audit_id = journaled.outcome_audit_id();
  grpc::Status st;
  if (audit_id.empty()) {
    st = Finish("IssueCertificate", err, rec, start, &audit_id);
  } else {
    if (deps_.metrics != nullptr) {
      deps_.metrics->RecordRequest("IssueCertificate", err.status.code(),
                                   std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::steady_clock::now() - start));
    }
    st = ToGrpcStatus(err);
  }
  if (st.ok()) {
    out.set_audit_id(audit_id);
    *resp = std::move(out);
  }
  return st;
}

ApiError SignerService::DoIssue(Caller& caller, const v1::IssueCertificateRequest& req,
                                std::chrono::milliseconds deadline,
                                v1::IssueCertificateResponse& resp, AuditRecord& rec) {
  std::shared_ptr<IssuanceBundle> bundle = deps_.issuance != nullptr ? deps_.issuance->Get() : nullptr;
  if (bundle == nullptr) {
    return MakeError(FailedPreconditionError("certificate issuance is not configured"), "ISSUANCE_DISABLED");
  }
  if (req.profile().empty()) return MakeError(InvalidArgumentError("profile is required"));
  rec.detail = "profile=" + req.profile().substr(0, 64);
  if (Status s = caller.policy->AuthorizeIssue(*caller.client, req.profile()); !s.ok()) {
    return MakeError(s, s.code() == StatusCode::kNotFound ? "PROFILE_NOT_FOUND" : "PROFILE_NOT_PERMITTED");
  }
  for (const Profile& p : bundle->profiles) {
    if (p.name == req.profile()) rec.key = p.issuing_key;
  }
  rec.input_sha256 = Sha256Hex(req.csr_der());
  IssuanceRequest ir;
  ir.client_id = caller.client->name;
  ir.request_id = req.request_id();
  ir.requester_ref = req.requester_ref();
  ir.profile = req.profile();
  ir.csr_der = req.csr_der();
  StatusOr<IssuedCertificate> issued = [&] {
    ScopedIssueDeadline scoped(deadline);
    return bundle->engine->Issue(ir, caller.client->allowlist);
  }();
  if (!issued.ok()) {
    const Status& s = issued.status();
    switch (s.code()) {
      case StatusCode::kPermissionDenied:
        // The profile was authorized above: the engine's PERMISSION_DENIED is
        // a name outside the client's allowlist, a bad argument naming it.
        return MakeError(InvalidArgumentError(s.message()), "NAME_NOT_ALLOWED");
      case StatusCode::kInvalidArgument:
      case StatusCode::kAlreadyExists:
      case StatusCode::kAborted:
      case StatusCode::kFailedPrecondition:
      case StatusCode::kNotFound:
        return MakeError(s);  // the engine's message names what was wrong; no internals
      case StatusCode::kInternal:
        rec.detail += " " + std::string(s.message());
        return MakeError(s);  // the firewall replaces the text
      default:
        rec.detail += " " + std::string(s.message());
        return FromPool(s);
    }
  }
  std::string serial;
  std::string hash;
  if (!Unhex(issued->serial_hex, serial) || !Unhex(issued->profile_hash_hex, hash)) {
    return MakeError(InternalError("serial or profile hash is not hex"));
  }
  rec.detail += " serial=" + issued->serial_hex + " cert_sha256=" + Sha256Hex(issued->certificate_der) +
                (issued->replayed ? " replayed" : "");
  resp.set_certificate_der(issued->certificate_der);
  for (const std::string& c : issued->chain_der) resp.add_chain_der(c);
  resp.set_serial(serial);
  resp.set_profile_hash(hash);
  return Ok();
}

}  // namespace pki::signer
