// Fuzzes the host's lint of what the appliance previews before a quorum
// approves a signature (ceremony/lint): TBSCertificate and TBSCertList bytes
// come over the link from the appliance, so a faulty or tampered appliance
// (or link) chooses them. Any bytes must give findings, never a crash.
//
// Input: 2 bytes, then the TBS DER.
//   byte 0 bit 0: 0 = TBSCertificate, 1 = TBSCertList
//   byte 0 bits 1-2: expected path_len -1..2 (certificates)
//   byte 1: expected validity in 30-day steps (0: not checked) for a
//           certificate, nextUpdate days for a CRL
// Invariants (PKI_CHECK): every finding has a name and a message; a
// non-fatal one has a name a script may waive (KnownLintNames); unparseable
// bytes give exactly one, fatal, "tbs-unparseable".
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "ceremony/lint/tbs_lint.h"
#include "ceremony/schema/script.h"
#include "common/ossl.h"

namespace {

// The root the previews are checked against: the subject and notAfter are
// what the lint compares (make_seeds.sh issues the seeds under this name).
pki::OsslPtr<X509> MakeRoot() {
  pki::OsslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  PKI_CHECK(key != nullptr);
  pki::OsslPtr<X509> x(X509_new());
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_NAME* name = X509_get_subject_name(x.get());
  for (const auto& [field, value] :
       {std::pair{"C", "DE"}, std::pair{"O", "Example"}, std::pair{"CN", "Fuzz Root CA R1"}}) {
    X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(value), -1, -1, 0);
  }
  X509_set_issuer_name(x.get(), name);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), 1'577'836'800);  // 2020-01-01
  ASN1_TIME_set(X509_getm_notAfter(x.get()), 2'208'988'800);   // 2040-01-01
  X509_set_pubkey(x.get(), key.get());
  PKI_CHECK(X509_sign(x.get(), key.get(), EVP_sha256()) > 0);
  return x;
}

X509& Root() {
  static X509* root = MakeRoot().release();
  return *root;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string_view tbs(reinterpret_cast<const char*>(data + 2), size - 2);
  std::vector<pki::ceremony::LintIssue> issues;
  if ((data[0] & 1u) == 0) {
    pki::ceremony::CertProfileExpectation profile;
    profile.validity_days = uint32_t{data[1]} * 30;
    profile.path_len = ((data[0] >> 1) & 3) - 1;
    issues = pki::ceremony::LintTbsCertificate(tbs, Root(), profile);
  } else {
    issues = pki::ceremony::LintTbsCertList(tbs, Root(), data[1]);
  }
  const auto& known = pki::ceremony::KnownLintNames();
  for (const auto& issue : issues) {
    // A waivable finding must be one a script can waive.
    if (!issue.fatal) PKI_CHECK(std::find(known.begin(), known.end(), issue.name) != known.end());
    PKI_CHECK(!issue.name.empty() && !issue.message.empty());
    if (issue.name == "tbs-unparseable") PKI_CHECK(issues.size() == 1 && issue.fatal);
  }
  ERR_clear_error();
  return 0;
}
