#include "crl_freshness.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/file.h"
#include "common/ossl.h"

namespace pki::signerctl {
namespace {

constexpr size_t kMaxCrlFile = 64u << 20;

std::string Utc(std::time_t t) {
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string IssuerOf(const X509_CRL& crl) {
  char buf[256];
  X509_NAME_oneline(X509_CRL_get_issuer(&crl), buf, sizeof(buf));
  return buf;
}

// ReadCrls parses every CRL in |data|: PEM blocks, else one DER CRL.
std::vector<OsslPtr<X509_CRL>> ReadCrls(const std::string& data) {
  std::vector<OsslPtr<X509_CRL>> out;
  OsslPtr<BIO> bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  while (bio != nullptr) {
    X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
    if (crl == nullptr) break;
    out.emplace_back(crl);
  }
  if (out.empty()) {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    if (X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size()))) out.emplace_back(crl);
  }
  return out;
}

}  // namespace

std::vector<std::string> CrlFreshnessWarnings(const std::vector<std::string>& crl_files, std::time_t now,
                                              std::chrono::seconds ahead) {
  std::vector<std::string> out;
  for (const std::string& file : crl_files) {
    auto data = ReadFile(file, kMaxCrlFile);
    if (!data.ok()) {
      out.push_back(file + ": client CRL cannot be read: " + std::string(data.status().message()));
      continue;
    }
    std::vector<OsslPtr<X509_CRL>> crls = ReadCrls(*data);
    if (crls.empty()) {
      out.push_back(file + ": no CRL in the file (PEM or DER): signerd will refuse to start");
      continue;
    }
    for (const OsslPtr<X509_CRL>& crl : crls) {
      const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
      if (next == nullptr) continue;  // no nextUpdate: never stale
      struct tm tm {};
      if (ASN1_TIME_to_tm(next, &tm) != 1) continue;
      const std::time_t next_update = timegm(&tm);
      const std::string what = file + ": client CRL of " + IssuerOf(*crl);
      if (next_update < now) {
        out.push_back(what + " is past its nextUpdate " + Utc(next_update) +
                      ": signerd refuses every client of that CA until a fresh CRL is loaded (SIGHUP)");
      } else if (next_update - now <= ahead.count()) {
        const long long mins = (next_update - now) / 60;  // NOLINT(google-runtime-int)
        out.push_back(what + " reaches its nextUpdate " + Utc(next_update) + " in " + std::to_string(mins / 60) +
                      "h" + std::to_string(mins % 60) + "m: renew it and reload signerd before then");
      }
    }
  }
  return out;
}

}  // namespace pki::signerctl
