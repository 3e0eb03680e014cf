#include "device/ca_engine.h"

#include <cstdio>
#include <cstring>

#include "base/secret.h"
#include "ca/ca_certificate.h"
#include "ca/crl.h"
#include "ca/cross.h"
#include "ca/intermediate.h"
#include "ca/root.h"
#include "ca/serial.h"
#include "ca/sign.h"
#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/keypair.h"
#include "device/device_record.h"
#include "device/revocations.h"

namespace pki::appliance::device {

namespace {

constexpr int64_t kDay = 86400;
constexpr char kRootKeyAad[] = "pki-root-key-v1";

ByteSpan RootKeyAad() { return AsBytes(std::string_view(kRootKeyAad, sizeof(kRootKeyAad) - 1)); }

StatusOr<crypto::KeyAlgorithm> ToKeyAlgorithm(pki_appliance_v1_KeyAlgorithm a) {
  switch (a) {
    case pki_appliance_v1_KeyAlgorithm_EC_P256: return crypto::KeyAlgorithm::kEcP256;
    case pki_appliance_v1_KeyAlgorithm_EC_P384: return crypto::KeyAlgorithm::kEcP384;
    case pki_appliance_v1_KeyAlgorithm_RSA_3072: return crypto::KeyAlgorithm::kRsa3072;
    case pki_appliance_v1_KeyAlgorithm_RSA_4096: return crypto::KeyAlgorithm::kRsa4096;
    default: return InvalidArgumentError("init: key algorithm must be EC_P256, EC_P384, RSA_3072 or RSA_4096");
  }
}

// Appends the first |n| bytes of |data| as hex to |out| (NUL-terminated).
void AppendHex(char* out, size_t cap, ByteSpan data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  size_t len = std::strlen(out);
  for (size_t i = 0; i < data.size() && i < n && len + 3 < cap; ++i) {
    out[len++] = kDigits[data[i] >> 4];
    out[len++] = kDigits[data[i] & 0x0F];
  }
  out[len] = '\0';
}

// Rest is the unused tail of the NUL-terminated text in |out| (capacity
// |cap|), for appending with snprintf and a literal format.
struct Tail {
  char* at;
  size_t room;
};
Tail Rest(char* out, size_t cap) {
  size_t len = std::strlen(out);
  return Tail{out + len, cap - len};
}

// LoadRoot reads and parses the stored root certificate into |out|.
Status LoadRoot(hw::Storage& storage, ca::CaCertificate* out) {
  StatusOr<size_t> n = storage.Read(kRootCertKey, out->der_buffer());
  if (!n.ok()) {
    if (n.status().code() == StatusCode::kNotFound) {
      return FailedPreconditionError("the device has no root certificate");
    }
    return n.status();
  }
  Status parsed = out->ParseInPlace(*n);
  if (!parsed.ok()) return DataLossError("stored root certificate does not parse: ").Append(parsed.message());
  return OkStatus();
}

// SealKey seals |key|'s private DER under |kek| into |out|; returns the
// length. UnsealKey is the reverse: PERMISSION_DENIED if |kek| does not open
// |sealed|, DATA_LOSS if what it opens does not parse. Not inlined: the
// private DER room (crypto::kMaxPrivateKeyDer, wiped on return) must not sit
// in the frame under key generation and signing, the deepest stacks.
[[gnu::noinline]] StatusOr<size_t> SealKey(const crypto::KeyPair& key, const KekView& kek,
                                           crypto::Drbg& drbg, MutableByteSpan out) {
  crypto::PrivateKeyDer der;
  PKI_RETURN_IF_ERROR(key.SerializePrivate(der));
  return crypto::AeadSeal(kek, drbg, RootKeyAad(), der.View(SecretAccess::Grant()), out);
}

[[gnu::noinline]] StatusOr<crypto::KeyPair> UnsealKey(const KekView& kek, ByteSpan sealed) {
  crypto::PrivateKeyDer der;
  PKI_RETURN_IF_ERROR(der.Resize(crypto::kMaxPrivateKeyDer));
  StatusOr<size_t> opened =
      crypto::AeadOpen(kek, RootKeyAad(), sealed, der.Mutable(SecretAccess::Grant()));
  if (!opened.ok()) {
    return PermissionDeniedError("the quorum's KEK does not open the sealed root key");
  }
  PKI_RETURN_IF_ERROR(der.Resize(*opened));
  StatusOr<crypto::KeyPair> key = crypto::KeyPair::FromPrivateDer(der.View(SecretAccess::Grant()));
  der.Clear();
  if (!key.ok()) return DataLossError("unsealed root key does not parse");
  return key;
}

}  // namespace

CaEngine::~CaEngine() {
  if (auto* raw = std::get_if<RawScratch>(&scratch_)) SecureZero(raw->bytes, sizeof(raw->bytes));
}

Status CaEngine::Provision(const ProvisionParams& params, const KekView& kek,
                           ProvisionOutput* out) {
  PKI_ASSIGN_OR_RETURN(crypto::KeyAlgorithm alg, ToKeyAlgorithm(params.algorithm));
  PKI_ASSIGN_OR_RETURN(crypto::KeyPair key, crypto::KeyPair::Generate(alg, drbg_));
  PKI_ASSIGN_OR_RETURN(ca::Serial serial, ca::GenerateSerial(drbg_));
  ca::RootSpec spec;
  spec.subject = params.subject;
  spec.not_before = params.not_before;
  spec.not_after = params.not_after;
  uint8_t* buf = scratch_.emplace<RawScratch>().bytes;
  PKI_ASSIGN_OR_RETURN(size_t tbs, ca::BuildRootTbs(spec, serial, key, MutableByteSpan(buf, sizeof(RawScratch::bytes))));
  StatusOr<size_t> cert = ca::SignCertificate(key, drbg_, ByteSpan(buf, tbs), out->cert);
  SecureZero(buf, tbs);
  if (!cert.ok()) return cert.status();
  out->cert_size = *cert;

  PKI_ASSIGN_OR_RETURN(out->sealed_key_size, SealKey(key, kek, drbg_, out->sealed_key));
  return OkStatus();
}

Status CaEngine::Prepare(const pki_appliance_v1_BeginOperationRequest& request,
                         const PrepareContext& context, PreparedOperation* out) {
  out->time = context.now;
  switch (request.which_params) {
    case pki_appliance_v1_BeginOperationRequest_sign_intermediate_tag:
      return PrepareIntermediate(request.params.sign_intermediate, context, out);
    case pki_appliance_v1_BeginOperationRequest_issue_crl_tag:
      return PrepareCrl(request.params.issue_crl.next_update_days, context, out, false);
    case pki_appliance_v1_BeginOperationRequest_revoke_tag: {
      const auto& r = request.params.revoke;
      if (r.serial.size == 0 || r.serial.size > 20 || r.serial.bytes[0] == 0) {
        return InvalidArgumentError("revoke: serial must be 1..20 bytes without a leading zero");
      }
      if (r.reason > 10 || r.reason == 6 || r.reason == 7 || r.reason == 8) {
        return InvalidArgumentError("revoke: reason must be 0-5 or 9 (RFC 5280, never hold)");
      }
      std::memcpy(out->revoked_serial, r.serial.bytes, r.serial.size);
      out->revoked_serial_size = r.serial.size;
      out->revoke_reason = r.reason;
      return PrepareCrl(config_.revoke_crl_days, context, out, true);
    }
    case pki_appliance_v1_BeginOperationRequest_cross_sign_tag:
      return PrepareCross(request.params.cross_sign, context, out);
    default:
      return InvalidArgumentError("not a CA operation");
  }
}

Status CaEngine::PrepareIntermediate(const pki_appliance_v1_SignIntermediateRequest& r,
                                     const PrepareContext& ctx, PreparedOperation* out) {
  if (r.csr_der.size == 0) return InvalidArgumentError("sign intermediate: CSR is empty");
  if (!r.has_profile) return InvalidArgumentError("sign intermediate: profile is missing");
  const auto& p = r.profile;
  if (p.validity_days == 0) return InvalidArgumentError("sign intermediate: validity_days is 0");
  if (p.path_len < 0) {
    return InvalidArgumentError("sign intermediate: path_len must be >= 0 for an intermediate");
  }
  PKI_RETURN_IF_ERROR(LoadRoot(storage_, &root_));
  const ca::CaCertificate* root = &root_;
  std::string_view permitted[8];
  std::string_view excluded[8];
  for (pb_size_t i = 0; i < p.permitted_dns_count; ++i) permitted[i] = p.permitted_dns[i];
  for (pb_size_t i = 0; i < p.excluded_dns_count; ++i) excluded[i] = p.excluded_dns[i];
  ca::IntermediateProfile profile;
  profile.path_len = static_cast<int>(p.path_len);
  profile.permitted_dns = std::span<const std::string_view>(permitted, p.permitted_dns_count);
  profile.excluded_dns = std::span<const std::string_view>(excluded, p.excluded_dns_count);
  profile.crl_distribution_point = config_.crl_url;
  profile.aia_ca_issuers = config_.aia_url;
  ca::IntermediateRequest req;
  req.csr_der = ByteSpan(r.csr_der.bytes, r.csr_der.size);
  req.not_before = ctx.now;
  req.not_after = ctx.now + static_cast<int64_t>(p.validity_days) * kDay;
  PKI_ASSIGN_OR_RETURN(req.serial, ca::GenerateSerial(drbg_));
  ca::CheckedCsr& csr_room = scratch_.emplace<ca::CheckedCsr>();
  PKI_ASSIGN_OR_RETURN(out->tbs_size, ca::BuildIntermediateTbs(*root, profile, req, out->tbs, &csr_room));
  crypto::Sha256Digest csr_digest = crypto::Sha256(req.csr_der);
  std::snprintf(out->preview.data(), out->preview.size(),
                "sign intermediate CA, profile '%s'\nvalidity %u days from %lld\npath length %d; "
                "%u permitted, %u excluded DNS subtrees\nserial ",
                p.name, static_cast<unsigned>(p.validity_days), static_cast<long long>(ctx.now),
                static_cast<int>(p.path_len), static_cast<unsigned>(p.permitted_dns_count),
                static_cast<unsigned>(p.excluded_dns_count));
  AppendHex(out->preview.data(), out->preview.size(), req.serial.view(), 20);
  {
    Tail t = Rest(out->preview.data(), out->preview.size());
    std::snprintf(t.at, t.room, "\nCSR SHA-256 ");
  }
  AppendHex(out->preview.data(), out->preview.size(), ByteSpan(csr_digest), 32);
  return OkStatus();
}

Status CaEngine::PrepareCrl(uint32_t next_update_days, const PrepareContext& ctx,
                            PreparedOperation* out, bool add_pending) {
  if (next_update_days == 0) return InvalidArgumentError("CRL: next_update_days is 0");
  PKI_RETURN_IF_ERROR(LoadRoot(storage_, &root_));
  const ca::CaCertificate* root = &root_;
  RevocationList& list = scratch_.emplace<RevocationList>();
  PKI_RETURN_IF_ERROR(LoadRevocations(storage_, &list).status());
  ByteSpan pending(out->revoked_serial, out->revoked_serial_size);
  if (add_pending) {
    if (list.Find(pending) >= 0) return AlreadyExistsError("revoke: serial is already revoked");
    PKI_RETURN_IF_ERROR(list.Add(pending, ctx.now, static_cast<uint8_t>(out->revoke_reason)));
  }
  const size_t count = list.count();
  ca::CrlRequest req;
  req.crl_number = ctx.next_crl_number;
  req.this_update = ctx.now;
  req.next_update = ctx.now + static_cast<int64_t>(next_update_days) * kDay;
  req.revoked = list.Entries();
  req.distribution_point = config_.crl_url;
  PKI_ASSIGN_OR_RETURN(out->tbs_size, ca::BuildCrlTbs(*root, req, out->tbs));
  out->crl_number = ctx.next_crl_number;
  std::snprintf(out->preview.data(), out->preview.size(),
                "%s\nCRL number %llu, %u revoked, next update in %u days",
                add_pending ? "revoke intermediate and issue the root CRL" : "issue the root CRL",
                static_cast<unsigned long long>(ctx.next_crl_number),
                static_cast<unsigned>(count), static_cast<unsigned>(next_update_days));
  if (add_pending) {
    {
    Tail t = Rest(out->preview.data(), out->preview.size());
    std::snprintf(t.at, t.room, "\nrevoke serial ");
  }
    AppendHex(out->preview.data(), out->preview.size(), pending, 20);
    {
    Tail t = Rest(out->preview.data(), out->preview.size());
    std::snprintf(t.at, t.room, " reason %u",
            static_cast<unsigned>(out->revoke_reason));
  }
  }
  return OkStatus();
}

Status CaEngine::PrepareCross(const pki_appliance_v1_CrossSignRequest& r, const PrepareContext& ctx,
                              PreparedOperation* out) {
  if (r.validity_days == 0) return InvalidArgumentError("cross sign: validity_days is 0");
  ca::CaCertificate* new_root = &scratch_.emplace<ca::CaCertificate>();
  Status parsed = ca::CaCertificate::ParseInto(ByteSpan(r.cert_der.bytes, r.cert_der.size), new_root);
  if (!parsed.ok()) return InvalidArgumentError("cross sign: ").Append(parsed.message());
  PKI_RETURN_IF_ERROR(new_root->VerifySelfSigned());
  PKI_RETURN_IF_ERROR(LoadRoot(storage_, &root_));
  const ca::CaCertificate* root = &root_;
  ca::CrossRequest req;
  req.not_before = ctx.now;
  req.not_after = ctx.now + static_cast<int64_t>(r.validity_days) * kDay;
  req.path_len = static_cast<int>(r.path_len);
  PKI_ASSIGN_OR_RETURN(req.serial, ca::GenerateSerial(drbg_));
  PKI_ASSIGN_OR_RETURN(out->tbs_size, ca::BuildCrossTbs(*root, *new_root, req, out->tbs));
  crypto::Sha256Digest d = crypto::Sha256(ByteSpan(r.cert_der.bytes, r.cert_der.size));
  std::snprintf(out->preview.data(), out->preview.size(),
                "cross-certify a new root for %u days\nnew root certificate SHA-256 ",
                static_cast<unsigned>(r.validity_days));
  AppendHex(out->preview.data(), out->preview.size(), ByteSpan(d), 32);
  return OkStatus();
}

StatusOr<size_t> CaEngine::Sign(const PreparedOperation& prepared, const KekView& kek,
                                MutableByteSpan out) {
  if (prepared.tbs_size == 0) return InternalError("nothing prepared to sign");
  PKI_RETURN_IF_ERROR(LoadRoot(storage_, &root_));
  const ca::CaCertificate* root = &root_;
  uint8_t* buf = scratch_.emplace<RawScratch>().bytes;
  StatusOr<size_t> sealed = storage_.Read(kSealedRootKeyKey, MutableByteSpan(buf, sizeof(RawScratch::bytes)));
  if (!sealed.ok()) {
    if (sealed.status().code() == StatusCode::kNotFound) {
      return FailedPreconditionError("the sealed root key is gone (decommissioned or tampered)");
    }
    return sealed.status();
  }
  StatusOr<crypto::KeyPair> key = UnsealKey(kek, ByteSpan(buf, *sealed));
  SecureZero(buf, *sealed);
  if (!key.ok()) return key.status();
  PKI_RETURN_IF_ERROR(root->MatchesKey(*key));
  ByteSpan tbs(prepared.tbs, prepared.tbs_size);
  const bool is_crl = prepared.operation == pki_appliance_v1_Operation_OPERATION_ISSUE_CRL ||
                      prepared.operation == pki_appliance_v1_Operation_OPERATION_REVOKE;
  return is_crl ? ca::SignCrl(*key, drbg_, tbs, out) : ca::SignCertificate(*key, drbg_, tbs, out);
}

Status CaEngine::Commit(const PreparedOperation& prepared) {
  if (prepared.operation != pki_appliance_v1_Operation_OPERATION_REVOKE) return OkStatus();
  RevocationList& list = scratch_.emplace<RevocationList>();
  PKI_RETURN_IF_ERROR(LoadRevocations(storage_, &list).status());
  ByteSpan serial(prepared.revoked_serial, prepared.revoked_serial_size);
  if (list.Find(serial) >= 0) return OkStatus();  // a retried commit
  PKI_RETURN_IF_ERROR(list.Add(serial, prepared.time, static_cast<uint8_t>(prepared.revoke_reason)));
  return SaveRevocations(storage_, list);
}

}  // namespace pki::appliance::device
