#include "server/revocation.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>

#include "common/file.h"
#include "common/pem.h"

namespace pki::signer {
namespace {

constexpr std::time_t kStaleLogEvery = 60;  // seconds between two stale-CRL lines per file

// ParseCrls reads PEM CRLs, or one DER CRL, from |text|.
std::vector<OsslPtr<X509_CRL>> ParseCrls(const std::string& text) {
  std::vector<OsslPtr<X509_CRL>> out;
  OsslPtr<BIO> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  while (bio) {
    X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
    if (crl == nullptr) break;
    out.emplace_back(crl);
  }
  ERR_clear_error();
  if (out.empty()) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(text.size()));
    if (crl != nullptr) out.emplace_back(crl);
    ERR_clear_error();
  }
  return out;
}

std::string OctetString(const ASN1_OCTET_STRING* s) {
  if (s == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

// TimeOf converts an ASN.1 time to Unix seconds; 0 if absent or malformed.
std::time_t TimeOf(const ASN1_TIME* t) {
  if (t == nullptr) return 0;
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

std::string Utc(std::time_t t) {
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NameOf(const X509_NAME* name) {
  OsslPtr<BIO> b(BIO_new(BIO_s_mem()));
  if (!b || X509_NAME_print_ex(b.get(), name, 0, XN_FLAG_RFC2253) < 0) return "?";
  char* d = nullptr;
  const long n = BIO_get_mem_data(b.get(), &d);
  return std::string(d, static_cast<size_t>(n));
}

}  // namespace

StatusOr<std::unique_ptr<CrlSet>> CrlSet::Load(const std::vector<ClientCaConfig>& cas) {
  std::unique_ptr<CrlSet> set(new CrlSet());
  const std::time_t now = std::time(nullptr);
  for (const ClientCaConfig& ca : cas) {
    if (ca.crl_file.empty()) continue;
    PKI_ASSIGN_OR_RETURN(std::string ca_text, ReadFile(ca.ca_file));
    auto certs = ParseCertificates(ca_text);
    if (!certs.ok()) return InvalidArgumentError("no CA certificate in ").Append(ca.ca_file);
    PKI_ASSIGN_OR_RETURN(std::string crl_text, ReadFile(ca.crl_file));
    auto crls = ParseCrls(crl_text);
    if (crls.empty()) return InvalidArgumentError("no CRL in ").Append(ca.crl_file);
    for (auto& crl : crls) {
      X509* signer = nullptr;
      for (auto& cert : *certs) {
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(cert.get())) != 0) continue;
        EVP_PKEY* key = X509_get0_pubkey(cert.get());
        if (key != nullptr && X509_CRL_verify(crl.get(), key) == 1) signer = cert.get();
      }
      ERR_clear_error();
      if (signer == nullptr) {
        return InvalidArgumentError("CRL not signed by a CA of its bundle: ").Append(ca.crl_file);
      }
      auto e = std::make_unique<Entry>();
      e->file = ca.crl_file;
      e->issuer_key_id = OctetString(X509_get0_subject_key_id(signer));
      e->next_update = TimeOf(X509_CRL_get0_nextUpdate(crl.get()));
      e->crl = std::move(crl);
      if (e->next_update != 0 && e->next_update < now) LogStale(*e, now);
      set->crls_.push_back(std::move(e));
    }
  }
  return set;
}

void CrlSet::LogStale(const Entry& e, std::time_t now) {
  std::time_t last = e.last_stale_log.load();
  if (last != 0 && now - last < kStaleLogEvery) return;
  if (!e.last_stale_log.compare_exchange_strong(last, now)) return;  // another thread logs it
  std::fprintf(stderr,
               "signerd: tls: client CRL %s (issuer %s) is past its nextUpdate %s: refusing the "
               "clients of that CA until a fresh CRL is loaded (SIGHUP)\n",
               e.file.c_str(), NameOf(X509_CRL_get_issuer(e.crl.get())).c_str(), Utc(e.next_update).c_str());
}

std::vector<CrlInfo> CrlSet::Describe() const {
  std::vector<CrlInfo> out;
  for (const auto& e : crls_) {
    CrlInfo info;
    info.file = e->file;
    info.issuer = NameOf(X509_CRL_get_issuer(e->crl.get()));
    info.next_update = e->next_update;
    const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(e->crl.get());
    info.revoked = revoked == nullptr ? 0 : static_cast<size_t>(sk_X509_REVOKED_num(revoked));
    out.push_back(std::move(info));
  }
  return out;
}

Status CrlSet::Check(X509& cert, std::time_t now) const {
  const std::string aki = OctetString(X509_get0_authority_key_id(&cert));
  const Entry* stale = nullptr;
  bool fresh = false;
  for (const auto& e : crls_) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(e->crl.get()), X509_get_issuer_name(&cert)) != 0) continue;
    // Same name, another key (a re-keyed or look-alike CA): not this CRL's CA.
    if (!aki.empty() && !e->issuer_key_id.empty() && aki != e->issuer_key_id) continue;
    X509_REVOKED* entry = nullptr;
    if (X509_CRL_get0_by_cert(e->crl.get(), &entry, &cert) == 1) {
      return Status(StatusCode::kUnauthenticated, "client certificate revoked");
    }
    if (e->next_update != 0 && e->next_update < now) {
      if (stale == nullptr) stale = e.get();
    } else {
      fresh = true;
    }
  }
  if (stale != nullptr && !fresh) {
    LogStale(*stale, now);
    // The file is named in the log line, not to the client.
    return Status(StatusCode::kUnauthenticated, "client CRL past its nextUpdate");
  }
  return OkStatus();
}

}  // namespace pki::signer
