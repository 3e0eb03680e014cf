// engine.cc — IssuanceEngine: CSR -> checked, journaled, linted, HSM-signed,
// verified certificate. See signer/include/signer/issuance.h.
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <map>
#include <mutex>

#include "common/ossl.h"
#include "idempotency.h"
#include "lint.h"
#include "names.h"
#include "signer/issuance.h"
#include "x509_build.h"

namespace pki::signer {

using internal::HexLower;
using internal::Sha256;

namespace {

constexpr size_t kMaxCsr = 64 * 1024;

struct IssuerState {
  IssuerConfig config;
  OsslPtr<X509> cert;
  std::shared_ptr<TbsSigner> signer;
  IdempotencyIndex::Chain chain;  // certificate_der then chain_der, shared by replays
  int64_t not_before = 0;
  int64_t not_after = 0;
};

struct ProfileState {
  Profile profile;
  std::string hash_hex;
};

Status CheckUrls(const std::vector<std::string>& urls, std::string_view what) {
  for (const std::string& u : urls) {
    const bool http = u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0;
    if (!http || u.size() > 1024 || u.find_first_of(", \t\r\n\"") != std::string::npos) {
      return InvalidArgumentError("issuer: ").Append(what).Append(" must be http(s) URLs without commas or spaces: ").Append(u);
    }
  }
  return OkStatus();
}

std::string SubjectText(X509_NAME* name) {
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len < 0 ? 0 : len));
}

Status CheckRequestFields(const IssuanceRequest& r) {
  if (r.client_id.empty()) return InvalidArgumentError("request: client id is empty");
  if (r.request_id.empty() || r.request_id.size() > 128) {
    return InvalidArgumentError("request: request id must be 1..128 characters");
  }
  for (char c : r.request_id) {
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) {
      return InvalidArgumentError("request: request id must be printable ASCII without spaces");
    }
  }
  if (r.requester_ref.size() > 1024) return InvalidArgumentError("request: requester ref longer than 1024");
  if (r.csr_der.empty() || r.csr_der.size() > kMaxCsr) return InvalidArgumentError("request: CSR must be 1..65536 bytes");
  return OkStatus();
}

// What the engine takes from a CSR after checking it.
struct CheckedCsr {
  OsslPtr<X509_REQ> req;
  OsslPtr<GENERAL_NAMES> names;
  std::string common_name;
  bool has_cn = false;
  std::vector<std::string> name_text;
};

StatusOr<CheckedCsr> CheckCsr(const Profile& profile, const NameAllowlist& allowlist,
                              std::string_view der) {
  CheckedCsr out;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  out.req.reset(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!out.req || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    OpenSslErrors();
    return InvalidArgumentError("CSR does not parse as one DER PKCS#10 request");
  }
  if (X509_REQ_get_version(out.req.get()) != X509_REQ_VERSION_1) return InvalidArgumentError("CSR version is not 1");
  EVP_PKEY* key = X509_REQ_get0_pubkey(out.req.get());
  if (key == nullptr) {
    OpenSslErrors();
    return InvalidArgumentError("CSR public key does not parse");
  }
  if (X509_REQ_verify(out.req.get(), key) != 1) {
    OpenSslErrors();
    return InvalidArgumentError("CSR signature does not verify (no proof of possession)");
  }
  PKI_RETURN_IF_ERROR(internal::CheckSubjectKey(profile, *key));

  // Subject: at most one CN; other attributes are not copied.
  X509_NAME* subject = X509_REQ_get_subject_name(out.req.get());
  for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(subject, i);
    if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) != NID_commonName) continue;
    if (out.has_cn) return InvalidArgumentError("CSR subject holds more than one CN");
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    if (len < 0) return InvalidArgumentError("CSR subject CN is not a readable string");
    out.common_name.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    if (out.common_name.empty() || out.common_name.size() > 64) return InvalidArgumentError("CSR subject CN must be 1..64 characters");
    out.has_cn = true;
  }

  // subjectAltName from the extension request; other requested extensions
  // are ignored (the signer decides them).
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(out.req.get());
  if (exts != nullptr) {
    int found = 0;
    for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
      X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts, i);
      if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name) continue;
      if (++found > 1) break;
      out.names.reset(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (found > 1) return InvalidArgumentError("CSR requests subjectAltName twice");
    if (found == 1 && !out.names) {
      OpenSslErrors();
      return InvalidArgumentError("CSR subjectAltName does not parse");
    }
  }
  OpenSslErrors();
  PKI_RETURN_IF_ERROR(internal::CheckNames(profile, allowlist, out.names.get(),
                                           out.has_cn ? &out.common_name : nullptr, &out.name_text));
  return out;
}

// CopySpki copies |from| (algorithm, parameters, key bits) into |to| as
// stored. X509_set_pubkey would encode the EVP_PKEY and decode it again, and
// an OpenSSL 3.0 key decode (OSSL_DECODER_CTX_new_for_pkey) was the largest
// single cost of an issuance. The lint checks the result is byte-identical to
// the CSR's SubjectPublicKeyInfo.
Status CopySpki(const X509_PUBKEY& from, X509_PUBKEY& to) {
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  X509_ALGOR* alg = nullptr;
  if (X509_PUBKEY_get0_param(nullptr, &bits, &bits_len, &alg, &from) != 1 || alg == nullptr || bits_len <= 0) {
    return OsslError(StatusCode::kInternal, "CSR public key parameters");
  }
  const ASN1_OBJECT* obj = nullptr;
  int ptype = V_ASN1_UNDEF;
  const void* pval = nullptr;
  X509_ALGOR_get0(&obj, &ptype, &pval, alg);
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> new_obj(OBJ_dup(obj), &ASN1_OBJECT_free);
  if (!new_obj) return OsslError(StatusCode::kInternal, "CSR key algorithm");
  void* new_val = nullptr;
  if (ptype == V_ASN1_OBJECT) {
    new_val = OBJ_dup(static_cast<const ASN1_OBJECT*>(pval));
  } else if (ptype == V_ASN1_SEQUENCE || ptype == V_ASN1_OCTET_STRING) {
    new_val = ASN1_STRING_dup(static_cast<const ASN1_STRING*>(pval));
  } else if (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF) {
    return InvalidArgumentError("CSR key algorithm parameters of an unsupported type");
  }
  if (pval != nullptr && new_val == nullptr) return OsslError(StatusCode::kInternal, "CSR key parameters");
  auto* enc = static_cast<unsigned char*>(OPENSSL_memdup(bits, static_cast<size_t>(bits_len)));
  if (enc == nullptr || X509_PUBKEY_set0_param(&to, new_obj.get(), ptype, new_val, enc, bits_len) != 1) {
    OPENSSL_free(enc);
    if (ptype == V_ASN1_OBJECT) ASN1_OBJECT_free(static_cast<ASN1_OBJECT*>(new_val));
    if (ptype == V_ASN1_SEQUENCE || ptype == V_ASN1_OCTET_STRING) ASN1_STRING_free(static_cast<ASN1_STRING*>(new_val));
    return OsslError(StatusCode::kInternal, "setting the subject public key");
  }
  (void)new_obj.release();  // owned by |to| now
  return OkStatus();
}

std::string KeyUsageConf(uint16_t ku) {
  std::string s = "critical";
  if ((ku & kKuDigitalSignature) != 0) s += ",digitalSignature";
  if ((ku & kKuKeyEncipherment) != 0) s += ",keyEncipherment";
  if ((ku & kKuKeyAgreement) != 0) s += ",keyAgreement";
  return s;
}

// RequestFingerprint is what a retry must match: the profile name and the
// CSR. (Not the profile's hash: a retry after a reload that changed the
// profile's rules gets the certificate already issued, with its hash.)
std::string RequestFingerprint(std::string_view profile, std::string_view csr_sha256_hex) {
  std::string in(profile);
  in.push_back('\n');
  in.append(csr_sha256_hex);
  return Sha256(in);
}

std::string IdempotencyKey(std::string_view client_id, std::string_view request_id) {
  std::string key(client_id);
  key.push_back('\n');
  key.append(request_id);
  return key;
}

std::string Join(const std::vector<std::string>& items, std::string_view prefix) {
  std::string out;
  for (const std::string& i : items) {
    if (!out.empty()) out += ",";
    out.append(prefix).append(i);
  }
  return out;
}

}  // namespace

struct IssuanceEngine::State {
  std::map<std::string, ProfileState, std::less<>> profiles;
  std::map<std::string, IssuerState, std::less<>> issuers;
  IssuanceJournal* journal = nullptr;
  IssuanceOptions options;
  std::shared_ptr<IdempotencyIndex> store;

  // One throwaway key per algorithm, made on first use and kept for the
  // engine's life: it only ever signs lint copies, which are never released.
  std::mutex throwaway_mu;
  std::map<SignAlgorithm, OsslPtr<EVP_PKEY>> throwaway_keys;
  StatusOr<EVP_PKEY*> ThrowawayKey(SignAlgorithm alg) {
    std::lock_guard<std::mutex> lock(throwaway_mu);
    auto it = throwaway_keys.find(alg);
    if (it == throwaway_keys.end()) {
      PKI_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key, internal::NewThrowawayKey(alg));
      it = throwaway_keys.emplace(alg, std::move(key)).first;
    }
    return it->second.get();
  }

  int64_t Now() const { return options.now_unix ? options.now_unix() : static_cast<int64_t>(std::time(nullptr)); }

  StatusOr<IssuedCertificate> IssueNew(const ProfileState& ps, IssuerState& is,
                                       const IssuanceRequest& request, const NameAllowlist& allowlist,
                                       std::string csr_sha256_hex);
  StatusOr<OsslPtr<X509>> BuildTemplate(const Profile& profile, IssuerState& is, CheckedCsr& csr,
                                        int64_t now, std::string* out_serial_hex);
};

Status IssuanceJournal::RecordIssued(const IssuanceIntent& intent, std::string_view certificate_der) {
  return RecordOutcome(intent, OkStatus(), HexLower(Sha256(certificate_der)));
}

IssuanceEngine::IssuanceEngine(std::unique_ptr<State> state) : state_(std::move(state)) {}
IssuanceEngine::~IssuanceEngine() = default;

StatusOr<std::unique_ptr<IssuanceEngine>> IssuanceEngine::Create(std::vector<Profile> profiles,
                                                                 std::vector<Issuer> issuers,
                                                                 IssuanceJournal& journal,
                                                                 IssuanceOptions options) {
  auto state = std::make_unique<State>();
  state->journal = &journal;
  for (Issuer& issuer : issuers) {
    IssuerConfig& c = issuer.config;
    if (c.key_name.empty()) return InvalidArgumentError("issuer: key_name is empty");
    if (!issuer.signer) return InvalidArgumentError("issuer ").Append(c.key_name).Append(": no signer");
    if (c.backdate.count() < 0 || c.backdate.count() > 3600) {
      return InvalidArgumentError("issuer ").Append(c.key_name).Append(": backdate must be 0..3600 s");
    }
    PKI_RETURN_IF_ERROR(CheckUrls(c.crl_urls, "crl_urls"));
    PKI_RETURN_IF_ERROR(CheckUrls(c.ca_issuers_urls, "ca_issuers_urls"));
    PKI_RETURN_IF_ERROR(CheckUrls(c.ocsp_urls, "ocsp_urls"));
    StatusOr<OsslPtr<X509>> cert = internal::ParseDerCertificate(c.certificate_der);
    if (!cert.ok()) return InvalidArgumentError("issuer ").Append(c.key_name).Append(": certificate does not parse");
    for (const std::string& der : c.chain_der) {
      if (!internal::ParseDerCertificate(der).ok()) {
        return InvalidArgumentError("issuer ").Append(c.key_name).Append(": a chain certificate does not parse");
      }
    }
    X509* x = cert->get();
    if (X509_check_ca(x) < 1 || (X509_get_extension_flags(x) & EXFLAG_CA) == 0) {
      return InvalidArgumentError("issuer ").Append(c.key_name).Append(": certificate is not a CA");
    }
    if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(x) & KU_KEY_CERT_SIGN) == 0) {
      return InvalidArgumentError("issuer ").Append(c.key_name).Append(": keyUsage lacks keyCertSign");
    }
    EVP_PKEY* key = X509_get0_pubkey(x);
    if (key == nullptr) return InvalidArgumentError("issuer ").Append(c.key_name).Append(": no public key");
    Status fits = internal::IssuerKeyFits(c.signature_algorithm, *key);
    if (!fits.ok()) return InvalidArgumentError("issuer ").Append(c.key_name).Append(": ").Append(fits.message());
    IssuerState is;
    PKI_ASSIGN_OR_RETURN(is.not_before, internal::AsnTimeToUnix(*X509_get0_notBefore(x)));
    PKI_ASSIGN_OR_RETURN(is.not_after, internal::AsnTimeToUnix(*X509_get0_notAfter(x)));
    is.cert = std::move(cert).value();
    {
      auto chain = std::make_shared<std::vector<std::string>>();
      chain->push_back(c.certificate_der);
      chain->insert(chain->end(), c.chain_der.begin(), c.chain_der.end());
      is.chain = std::move(chain);
    }
    is.signer = std::move(issuer.signer);
    is.config = std::move(c);
    const std::string name = is.config.key_name;
    if (!state->issuers.emplace(name, std::move(is)).second) {
      return InvalidArgumentError("issuer ").Append(name).Append(" configured twice");
    }
  }
  for (Profile& p : profiles) {
    PKI_RETURN_IF_ERROR(ValidateProfile(p));
    if (state->issuers.find(p.issuing_key) == state->issuers.end()) {
      return InvalidArgumentError("profile ").Append(p.name).Append(": no issuer ").Append(p.issuing_key);
    }
    ProfileState ps{p, ProfileHashHex(p)};
    if (!state->profiles.emplace(p.name, std::move(ps)).second) {
      return InvalidArgumentError("profile ").Append(p.name).Append(" configured twice");
    }
  }
  state->store = options.idempotency != nullptr ? options.idempotency
                                                : NewIdempotencyIndex(options.idempotency_capacity);
  state->options = std::move(options);
  return std::unique_ptr<IssuanceEngine>(new IssuanceEngine(std::move(state)));
}

StatusOr<std::string> IssuanceEngine::ProfileHash(std::string_view name) const {
  auto it = state_->profiles.find(name);
  if (it == state_->profiles.end()) return NotFoundError("no such profile");
  return it->second.hash_hex;
}

StatusOr<IssuedCertificate> IssuanceEngine::Issue(const IssuanceRequest& request,
                                                  const NameAllowlist& allowlist) {
  PKI_RETURN_IF_ERROR(CheckRequestFields(request));
  auto pit = state_->profiles.find(request.profile);
  if (pit == state_->profiles.end()) return NotFoundError("no such profile: ").Append(request.profile);
  const ProfileState& ps = pit->second;
  IssuerState& is = state_->issuers.find(ps.profile.issuing_key)->second;
  PKI_RETURN_IF_ERROR(ValidateAllowlist(allowlist));

  const std::string key = IdempotencyKey(request.client_id, request.request_id);
  std::string csr_sha256_hex = HexLower(Sha256(request.csr_der));
  const std::string fingerprint = RequestFingerprint(ps.profile.name, csr_sha256_hex);
  PKI_ASSIGN_OR_RETURN(std::optional<IssuedCertificate> replay, state_->store->Begin(key, fingerprint));
  if (replay.has_value()) return std::move(*replay);
  StatusOr<IssuedCertificate> issued = state_->IssueNew(ps, is, request, allowlist, std::move(csr_sha256_hex));
  if (!issued.ok()) {
    state_->store->Abandon(key);
    return issued.status();
  }
  state_->store->Finish(key, *issued, is.chain);
  return issued;
}

Status IssuanceEngine::Remember(const PriorIssuance& prior) {
  auto pit = state_->profiles.find(prior.profile);
  if (pit == state_->profiles.end()) return NotFoundError("no such profile: ").Append(prior.profile);
  const IssuerState& is = state_->issuers.find(pit->second.profile.issuing_key)->second;
  StatusOr<OsslPtr<X509>> cert = internal::ParseDerCertificate(prior.certificate_der);
  if (!cert.ok()) return FailedPreconditionError("recorded certificate does not parse");
  X509* x = cert->get();
  if (X509_check_issued(is.cert.get(), x) != X509_V_OK || X509_verify(x, X509_get0_pubkey(is.cert.get())) != 1) {
    OpenSslErrors();
    return FailedPreconditionError("recorded certificate was not signed by the profile's current issuer");
  }
  IssuedCertificate out;
  out.certificate_der = prior.certificate_der;
  unsigned char serial[20];
  OsslPtr<BIGNUM> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), nullptr));
  if (!bn || BN_bn2binpad(bn.get(), serial, sizeof(serial)) != static_cast<int>(sizeof(serial))) {
    OpenSslErrors();
    return FailedPreconditionError("recorded certificate's serial is not 20 bytes");
  }
  out.serial_hex = HexLower(std::string_view(reinterpret_cast<char*>(serial), sizeof(serial)));
  out.profile_hash_hex = prior.profile_hash_hex;
  PKI_ASSIGN_OR_RETURN(out.not_before_unix, internal::AsnTimeToUnix(*X509_get0_notBefore(x)));
  PKI_ASSIGN_OR_RETURN(out.not_after_unix, internal::AsnTimeToUnix(*X509_get0_notAfter(x)));
  state_->store->Put(IdempotencyKey(prior.client_id, prior.request_id),
                     RequestFingerprint(prior.profile, prior.csr_sha256_hex), out, is.chain);
  return OkStatus();
}

StatusOr<OsslPtr<X509>> IssuanceEngine::State::BuildTemplate(const Profile& profile, IssuerState& is,
                                                             CheckedCsr& csr, int64_t now,
                                                             std::string* out_serial_hex) {
  OsslPtr<X509> x(X509_new());
  if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1) return OsslError(StatusCode::kInternal, "X509_new");

  // 20-byte CSPRNG serial, top bit cleared, never zero.
  unsigned char serial[20];
  do {
    if (RAND_bytes(serial, sizeof(serial)) != 1) return OsslError(StatusCode::kInternal, "RAND_bytes for the serial");
    serial[0] &= 0x7f;
  } while (serial[0] == 0 && serial[1] == 0);
  *out_serial_hex = HexLower(std::string_view(reinterpret_cast<char*>(serial), sizeof(serial)));
  OsslPtr<BIGNUM> bn(BN_bin2bn(serial, sizeof(serial), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get())) == nullptr) {
    return OsslError(StatusCode::kInternal, "serial");
  }

  // Validity: backdated, capped by the profile and the issuer.
  const int64_t not_before = std::max(now - is.config.backdate.count(), is.not_before);
  const int64_t not_after = std::min(now + profile.max_validity.count(), is.not_after);
  if (not_after <= now) return FailedPreconditionError("issuer certificate has expired: ").Append(is.config.key_name);
  if (ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(not_after)) == nullptr) {
    return OsslError(StatusCode::kInternal, "validity");
  }
  if (X509_set_issuer_name(x.get(), X509_get_subject_name(is.cert.get())) != 1) {
    return OsslError(StatusCode::kInternal, "issuer name");
  }
  OsslPtr<X509_NAME> subject(X509_NAME_new());
  if (csr.has_cn &&
      X509_NAME_add_entry_by_NID(subject.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(csr.common_name.data()),
                                 static_cast<int>(csr.common_name.size()), -1, 0) != 1) {
    return InvalidArgumentError("CSR subject CN cannot be encoded");
  }
  if (X509_set_subject_name(x.get(), subject.get()) != 1) return OsslError(StatusCode::kInternal, "subject");
  PKI_RETURN_IF_ERROR(CopySpki(*X509_REQ_get_X509_PUBKEY(csr.req.get()), *X509_get_X509_PUBKEY(x.get())));

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, is.cert.get(), x.get(), nullptr, nullptr, 0);
  uint16_t ku = profile.key_usage;
  if (profile.rsa_adds_key_encipherment && EVP_PKEY_get_base_id(X509_REQ_get0_pubkey(csr.req.get())) == EVP_PKEY_RSA) {
    ku = static_cast<uint16_t>(ku | kKuKeyEncipherment);
  }
  std::vector<std::pair<int, std::string>> conf = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, KeyUsageConf(ku)},
  };
  if (!profile.ext_key_usage.empty()) conf.emplace_back(NID_ext_key_usage, Join(profile.ext_key_usage, ""));
  conf.emplace_back(NID_subject_key_identifier, "hash");
  conf.emplace_back(NID_authority_key_identifier, "keyid:always");
  for (auto& [nid, value] : conf) {
    PKI_ASSIGN_OR_RETURN(OsslPtr<X509_EXTENSION> ext, internal::NewExtension(ctx, nid, value));
    if (X509_add_ext(x.get(), ext.get(), -1) != 1) return OsslError(StatusCode::kInternal, "add extension");
  }
  const int san_critical = csr.has_cn ? 0 : 1;
  if (X509_add1_ext_i2d(x.get(), NID_subject_alt_name, csr.names.get(), san_critical, X509V3_ADD_DEFAULT) != 1) {
    return OsslError(StatusCode::kInternal, "subjectAltName");
  }
  std::vector<std::pair<int, std::string>> tail;
  if (!is.config.crl_urls.empty()) tail.emplace_back(NID_crl_distribution_points, Join(is.config.crl_urls, "URI:"));
  std::string aia = Join(is.config.ca_issuers_urls, "caIssuers;URI:");
  const std::string ocsp = Join(is.config.ocsp_urls, "OCSP;URI:");
  if (!ocsp.empty()) aia = aia.empty() ? ocsp : aia + "," + ocsp;
  if (!aia.empty()) tail.emplace_back(NID_info_access, aia);
  for (auto& [nid, value] : tail) {
    PKI_ASSIGN_OR_RETURN(OsslPtr<X509_EXTENSION> ext, internal::NewExtension(ctx, nid, value));
    if (X509_add_ext(x.get(), ext.get(), -1) != 1) return OsslError(StatusCode::kInternal, "add extension");
  }
  return x;
}

StatusOr<IssuedCertificate> IssuanceEngine::State::IssueNew(const ProfileState& ps, IssuerState& is,
                                                            const IssuanceRequest& request,
                                                            const NameAllowlist& allowlist,
                                                            std::string csr_sha256_hex) {
  const Profile& profile = ps.profile;
  PKI_ASSIGN_OR_RETURN(CheckedCsr csr, CheckCsr(profile, allowlist, request.csr_der));
  const int64_t now = Now();
  if (now < is.not_before) return FailedPreconditionError("issuer certificate is not yet valid");

  IssuanceIntent intent;
  intent.client_id = request.client_id;
  intent.request_id = request.request_id;
  intent.requester_ref = request.requester_ref;
  intent.profile = profile.name;
  intent.profile_hash_hex = ps.hash_hex;
  intent.issuing_key = is.config.key_name;
  intent.names = csr.name_text;
  intent.csr_sha256_hex = std::move(csr_sha256_hex);
  PKI_ASSIGN_OR_RETURN(OsslPtr<X509> tmpl, BuildTemplate(profile, is, csr, now, &intent.serial_hex));
  intent.subject = SubjectText(X509_get_subject_name(tmpl.get()));
  PKI_ASSIGN_OR_RETURN(intent.not_before_unix, internal::AsnTimeToUnix(*X509_get0_notBefore(tmpl.get())));
  PKI_ASSIGN_OR_RETURN(intent.not_after_unix, internal::AsnTimeToUnix(*X509_get0_notAfter(tmpl.get())));

  auto fail = [&](Status s) -> Status {
    journal->RecordOutcome(intent, s, "").Ignore();  // the failure is returned either way
    return s;
  };

  // Lint a copy signed with a throwaway key of the issuer's algorithm.
  const SignAlgorithm alg = is.config.signature_algorithm;
  PKI_ASSIGN_OR_RETURN(EVP_PKEY * throwaway, ThrowawayKey(alg));
  // The template itself becomes the lint copy (an unsigned X509 cannot be
  // duplicated); the real certificate is assembled from its TBS bytes.
  OsslPtr<X509> lint_copy = std::move(tmpl);
  if (X509_sign(lint_copy.get(), throwaway, internal::DigestFor(alg)) <= 0) {
    return fail(OsslError(StatusCode::kInternal, "signing the lint copy"));
  }
  Status lint = internal::LintCertificate(*lint_copy, *is.cert, profile, allowlist, is.config.backdate,
                                          X509_REQ_get_X509_PUBKEY(csr.req.get()));
  if (!lint.ok()) return fail(lint);
  PKI_ASSIGN_OR_RETURN(std::string linted_tbs, internal::TbsDer(*lint_copy));
  const X509_ALGOR* sig_alg = nullptr;
  X509_get0_signature(nullptr, &sig_alg, lint_copy.get());
  unsigned char* alg_raw = nullptr;
  const int alg_len = i2d_X509_ALGOR(sig_alg, &alg_raw);
  if (alg_len <= 0) return fail(OsslError(StatusCode::kInternal, "encoding the signature algorithm"));
  const std::string alg_der(reinterpret_cast<char*>(alg_raw), static_cast<size_t>(alg_len));
  OPENSSL_free(alg_raw);
  intent.tbs_sha256_hex = HexLower(Sha256(linted_tbs));

  // Journal the intent; nothing is signed unless it is recorded.
  PKI_RETURN_IF_ERROR(journal->RecordIntent(intent));

  std::string to_sign = linted_tbs;
#if !PKI_PRODUCTION_BUILD
  if (options.tamper_tbs_for_test) options.tamper_tbs_for_test(to_sign);
#endif
  StatusOr<std::string> signature = is.signer->SignTbs(alg, AsBytes(to_sign));
  if (!signature.ok()) return fail(signature.status());

  const std::string cert_der = internal::AssembleCertificate(to_sign, alg_der, *signature);
  StatusOr<OsslPtr<X509>> parsed = internal::ParseDerCertificate(cert_der);
  if (!parsed.ok()) return fail(InternalError("signed certificate does not parse; not released"));
  StatusOr<std::string> real_tbs = internal::TbsDer(**parsed);
  if (!real_tbs.ok() || *real_tbs != linted_tbs) {
    return fail(InternalError("signed certificate's TBS differs from the linted TBS; not released"));
  }
  if (X509_verify(parsed->get(), X509_get0_pubkey(is.cert.get())) != 1) {
    OpenSslErrors();
    return fail(InternalError("signed certificate does not verify under the issuer key; not released"));
  }

  IssuedCertificate out;
  out.certificate_der = cert_der;
  out.chain_der = *is.chain;
  out.serial_hex = intent.serial_hex;
  out.profile_hash_hex = ps.hash_hex;
  out.not_before_unix = intent.not_before_unix;
  out.not_after_unix = intent.not_after_unix;
  PKI_RETURN_IF_ERROR(journal->RecordIssued(intent, out.certificate_der));
  return out;
}

}  // namespace pki::signer
