#include "tests/ceremony/fake_appliance_session.h"

#include <openssl/rand.h>

#include "ceremony/fingerprint/fingerprint.h"
#include "ceremony/fingerprint/pgp_words.h"
#include "ceremony/transcript/transcript_signer.h"

namespace pki::ceremony::testing {
namespace {

namespace lv1 = ::pki::appliance::v1;

std::string Der(X509* cert) {
  unsigned char* buf = nullptr;
  const int len = i2d_X509(cert, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

std::string CrlDer(X509_CRL* crl) {
  unsigned char* buf = nullptr;
  const int len = i2d_X509_CRL(crl, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

std::string Tbs(X509* cert) {
  unsigned char* buf = nullptr;
  const int len = i2d_re_X509_tbs(cert, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

std::string CrlTbs(X509_CRL* crl) {
  unsigned char* buf = nullptr;
  const int len = i2d_re_X509_CRL_tbs(crl, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  X509_add_ext(cert, ext.get(), -1);
}

// A 20-byte positive serial from the CSPRNG (DESIGN invariant 6).
void RandomSerial(X509* cert, int length = 20) {
  unsigned char bytes[20];
  RAND_bytes(bytes, sizeof(bytes));
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x40);
  OsslPtr<BIGNUM> bn(BN_bin2bn(bytes, length, nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert));
}

OsslPtr<X509> MakeCert(X509_NAME* subject, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                       uint32_t days, int path_len, int serial_length = 20) {
  OsslPtr<X509> cert(X509_new());
  X509_set_version(cert.get(), 2);
  RandomSerial(cert.get(), serial_length);
  X509_set_subject_name(cert.get(), subject);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : subject);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  X509_set_pubkey(cert.get(), key);
  X509* iss = issuer != nullptr ? issuer : cert.get();
  const std::string bc = path_len >= 0 ? "critical,CA:TRUE,pathlen:" + std::to_string(path_len) : "critical,CA:TRUE";
  AddExt(cert.get(), iss, NID_basic_constraints, bc.c_str());
  AddExt(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExt(cert.get(), iss, NID_subject_key_identifier, "hash");
  AddExt(cert.get(), iss, NID_authority_key_identifier, "keyid:always");
  X509_sign(cert.get(), issuer_key, EVP_sha256());
  return cert;
}

}  // namespace

FakeApplianceSession::FakeApplianceSession() : audit_key_(EVP_EC_gen("P-256")) {
  unsigned char* buf = nullptr;
  const int len = i2d_PUBKEY(audit_key_.get(), &buf);
  audit_public_der_.assign(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
}

void FakeApplianceSession::Journal(const std::string& what) {
  journal_.push_back(what);
  journal_head_ = Sha256(AsBytes(journal_head_ + what));
}

void FakeApplianceSession::ClearPending() {
  pending_nonce_.clear();
  pending_result_.clear();
  approvals_.clear();
  pending_request_.Clear();
}

StatusOr<ApplianceStatus> FakeApplianceSession::GetStatus() {
  ApplianceStatus s;
  s.state = root_key_ ? (pending_nonce_.empty() ? "LOCKED" : "UNLOCKED") : "UNPROVISIONED";
  s.device_id = "fake-0001";
  s.firmware_version = "0.1.0-fake";
  s.production_build = production_build;
  if (!root_der_.empty()) s.root_cert_sha256 = Sha256(AsBytes(root_der_));
  s.journal_sequence = journal_.size();
  s.journal_head = journal_head_;
  s.crl_number = crl_number_;
  s.threshold = threshold_;
  return s;
}

StatusOr<std::string> FakeApplianceSession::RootCertificateDer() {
  if (root_der_.empty()) return FailedPreconditionError("no root yet");
  return root_der_;
}

StatusOr<OperationResult> FakeApplianceSession::Init(const lv1::InitRequest& request,
                                                     const std::vector<CustodianPassphrase>& passphrases) {
  if (root_key_) return FailedPreconditionError("already provisioned");
  if (request.threshold() == 0 || passphrases.size() != static_cast<size_t>(request.custodians_size())) {
    return InvalidArgumentError("bad custodians");
  }
  root_key_.reset(EVP_EC_gen("P-256"));
  OsslPtr<X509_NAME> name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Fake Root"), -1, -1, 0);
  auto root = MakeCert(name.get(), root_key_.get(), nullptr, root_key_.get(), request.validity_days(), -1);
  root_der_ = Der(root.get());
  threshold_ = request.threshold();
  OperationResult out;
  out.result_der = root_der_;
  for (const auto& p : passphrases) {
    unsigned char r[16];
    RAND_bytes(r, sizeof(r));
    const std::string wrapped = "wrapped:" + p.name + ":" + HexString(ByteSpan(r, sizeof(r)));
    share_of_[p.name] = wrapped;
    pass_digest_of_[p.name] = Sha256(p.passphrase.View(SecretAccess::Grant()));
    out.shares.push_back(WrappedShareFile{p.name, wrapped});
  }
  Journal("init");
  return out;
}

StatusOr<OperationPreview> FakeApplianceSession::Begin(const lv1::BeginOperationRequest& request) {
  if (!root_key_) return FailedPreconditionError("unprovisioned");
  if (!pending_nonce_.empty()) return FailedPreconditionError("an operation is already open");
  ++begins_;
  OperationPreview p;
  OsslPtr<X509> root;
  {
    const auto* d = reinterpret_cast<const unsigned char*>(root_der_.data());
    root.reset(d2i_X509(nullptr, &d, static_cast<long>(root_der_.size())));
  }
  if (request.has_sign_intermediate()) {
    const std::string& csr_der = request.sign_intermediate().csr_der();
    const auto* d = reinterpret_cast<const unsigned char*>(csr_der.data());
    OsslPtr<X509_REQ> csr(d2i_X509_REQ(nullptr, &d, static_cast<long>(csr_der.size())));
    if (!csr) return InvalidArgumentError("CSR does not parse");
    OsslPtr<EVP_PKEY> key(X509_REQ_get_pubkey(csr.get()));
    if (X509_REQ_verify(csr.get(), key.get()) != 1) return InvalidArgumentError("CSR proof of possession fails");
    auto cert = MakeCert(X509_REQ_get_subject_name(csr.get()), key.get(), root.get(), root_key_.get(),
                         request.sign_intermediate().profile().validity_days(),
                         request.sign_intermediate().profile().path_len(), short_serial ? 8 : 20);
    p.tbs_der = Tbs(cert.get());
    pending_result_ = Der(cert.get());
    p.preview = "sign intermediate for profile " + request.sign_intermediate().profile().name();
  } else if (request.has_issue_crl()) {
    OsslPtr<X509_CRL> crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), 1);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(root.get()));
    OsslPtr<ASN1_STRING> now(ASN1_TIME_adj(nullptr, time(nullptr), 0, 0));
    OsslPtr<ASN1_STRING> next(ASN1_TIME_adj(nullptr, time(nullptr), static_cast<int>(request.issue_crl().next_update_days()), 0));
    X509_CRL_set1_lastUpdate(crl.get(), now.get());
    X509_CRL_set1_nextUpdate(crl.get(), next.get());
    OsslPtr<ASN1_STRING> number(ASN1_INTEGER_new());
    ASN1_INTEGER_set_uint64(number.get(), crl_number_ + 1);
    X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, root.get(), nullptr, nullptr, crl.get(), 0);
    OsslPtr<X509_EXTENSION> aki(X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
    X509_CRL_add_ext(crl.get(), aki.get(), -1);
    X509_CRL_sign(crl.get(), root_key_.get(), EVP_sha256());
    p.tbs_der = CrlTbs(crl.get());
    pending_result_ = CrlDer(crl.get());
    p.preview = "root CRL number " + std::to_string(crl_number_ + 1);
  } else {
    p.preview = "operation without a signed artifact";
  }
  if (!p.tbs_der.empty()) p.tbs_sha256 = Sha256(AsBytes(p.tbs_der));
  std::string encoded;
  request.SerializeToString(&encoded);
  p.request_sha256 = Sha256(AsBytes(encoded));
  p.displayed_words = PgpWords(AsBytes(p.request_sha256));
  unsigned char nonce[16];
  RAND_bytes(nonce, sizeof(nonce));
  p.nonce.assign(reinterpret_cast<char*>(nonce), sizeof(nonce));
  p.shares_needed = threshold_;
  pending_nonce_ = p.nonce;
  pending_request_ = request;
  return p;
}

StatusOr<uint32_t> FakeApplianceSession::ConfirmShare(const std::string& custodian, const std::string& wrapped_share,
                                                      const SecretBuffer& passphrase, bool* committed) {
  *committed = false;
  auto it = share_of_.find(custodian);
  if (it == share_of_.end() || it->second != wrapped_share ||
      pass_digest_of_[custodian] != Sha256(passphrase.View(SecretAccess::Grant()))) {
    return PermissionDeniedError("custodian ").Append(custodian).Append(": share does not open");
  }
  confirmed_[custodian] = true;
  if (confirmed_.size() == share_of_.size()) {
    *committed = true;
    const uint32_t n = static_cast<uint32_t>(confirmed_.size());
    confirmed_.clear();
    return n;
  }
  return static_cast<uint32_t>(confirmed_.size());
}

StatusOr<uint32_t> FakeApplianceSession::SubmitShare(const std::string& nonce, const std::string& custodian,
                                                     const std::string& wrapped_share, const SecretBuffer& passphrase) {
  if (nonce.empty() || nonce != pending_nonce_) return FailedPreconditionError("no such quorum session");
  auto it = share_of_.find(custodian);
  if (it == share_of_.end() || it->second != wrapped_share ||
      pass_digest_of_[custodian] != Sha256(passphrase.View(SecretAccess::Grant()))) {
    return PermissionDeniedError("share rejected");
  }
  approvals_[custodian] = true;
  return static_cast<uint32_t>(approvals_.size());
}

StatusOr<OperationResult> FakeApplianceSession::Execute(const std::string& nonce) {
  if (nonce.empty() || nonce != pending_nonce_) return FailedPreconditionError("no such quorum session");
  if (approvals_.size() < threshold_) return PermissionDeniedError("quorum not reached");
  if (fail_execute) {
    ClearPending();
    return InternalError("injected execute failure");
  }
  OperationResult out;
  out.result_der = pending_result_;
  if (tamper_result && pending_request_.has_sign_intermediate()) {
    // Same subject and key, new serial: a different TBSCertificate.
    const auto* d = reinterpret_cast<const unsigned char*>(pending_result_.data());
    OsslPtr<X509> cert(d2i_X509(nullptr, &d, static_cast<long>(pending_result_.size())));
    RandomSerial(cert.get());
    X509_sign(cert.get(), root_key_.get(), EVP_sha256());
    out.result_der = Der(cert.get());
  }
  if (pending_request_.has_issue_crl()) ++crl_number_;
  Journal("execute:" + Sha256(AsBytes(out.result_der)));
  out.journal_sequence = journal_.size();
  ++executed_;
  ClearPending();
  return out;
}

Status FakeApplianceSession::Abort(const std::string& nonce) {
  if (nonce != pending_nonce_) return FailedPreconditionError("no such quorum session");
  ++aborts_;
  ClearPending();
  Journal("abort");
  return OkStatus();
}

StatusOr<std::string> FakeApplianceSession::ExportJournal(uint64_t from_sequence, std::string* out_head,
                                                          uint64_t* out_next_sequence) {
  std::string out;
  for (size_t i = from_sequence; i < journal_.size(); ++i) out += journal_[i] + "\n";
  *out_head = journal_head_;
  *out_next_sequence = journal_.size();
  return out;
}

Status FakeApplianceSession::AckExport(uint64_t, const std::string& head) {
  if (head != journal_head_) return FailedPreconditionError("head mismatch");
  return OkStatus();
}

// Signs like the appliance's SignTranscript: SHA-256 over
// "pki-transcript-v1" || digest (TranscriptSignatureMessage).
StatusOr<std::string> FakeApplianceSession::SignAuditDigest(const std::string& sha256) {
  if (sha256.size() != 32) return InvalidArgumentError("transcript_sha256 must be 32 bytes");
  const std::string message = TranscriptSignatureMessage(AsBytes(sha256));
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  const auto* in = reinterpret_cast<const unsigned char*>(message.data());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, audit_key_.get()) <= 0 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, in, message.size()) <= 0) {
    return InternalError("audit sign init failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, message.size()) <= 0) {
    return InternalError("audit sign failed");
  }
  sig.resize(len);
  return sig;
}

StatusOr<std::string> FakeApplianceSession::AuditPublicKeyDer() { return audit_public_der_; }

}  // namespace pki::ceremony::testing
