#include "server/revocation.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "common/file.h"
#include "common/pem.h"

namespace pki::signer {
namespace {

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

}  // namespace

StatusOr<std::unique_ptr<CrlSet>> CrlSet::Load(const std::vector<ClientCaConfig>& cas) {
  std::unique_ptr<CrlSet> set(new CrlSet());
  for (const ClientCaConfig& ca : cas) {
    if (ca.crl_file.empty()) continue;
    PKI_ASSIGN_OR_RETURN(std::string ca_text, ReadFile(ca.ca_file));
    auto certs = ParseCertificates(ca_text);
    if (!certs.ok()) return InvalidArgumentError("no CA certificate in ").Append(ca.ca_file);
    PKI_ASSIGN_OR_RETURN(std::string crl_text, ReadFile(ca.crl_file));
    auto crls = ParseCrls(crl_text);
    if (crls.empty()) return InvalidArgumentError("no CRL in ").Append(ca.crl_file);
    for (auto& crl : crls) {
      bool verified = false;
      for (auto& cert : *certs) {
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(cert.get())) != 0) continue;
        EVP_PKEY* key = X509_get0_pubkey(cert.get());
        if (key != nullptr && X509_CRL_verify(crl.get(), key) == 1) verified = true;
      }
      ERR_clear_error();
      if (!verified) {
        return InvalidArgumentError("CRL not signed by a CA of its bundle: ").Append(ca.crl_file);
      }
      set->crls_.push_back(std::move(crl));
    }
  }
  return set;
}

Status CrlSet::Check(X509& cert) const {
  for (const auto& crl : crls_) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(&cert)) != 0) continue;
    X509_REVOKED* entry = nullptr;
    if (X509_CRL_get0_by_cert(crl.get(), &entry, &cert) == 1) {
      return Status(StatusCode::kUnauthenticated, "client certificate revoked");
    }
  }
  return OkStatus();
}

}  // namespace pki::signer
