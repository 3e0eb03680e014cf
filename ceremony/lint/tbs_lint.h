// tbs_lint.h — the host's own check of what the appliance previews before a
// quorum approves a signature: the TBSCertificate or TBSCertList is parsed
// with OpenSSL and checked against the profile and RFC 5280 basics.
//
// Each finding has a name (the names a script may list in lint_exceptions,
// see KnownLintNames) and a message. A `fatal` finding (unparseable bytes,
// wrong issuer, validity inverted) can never be waived.
#ifndef PKI_CEREMONY_LINT_TBS_LINT_H_
#define PKI_CEREMONY_LINT_TBS_LINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/ossl.h"

namespace pki::ceremony {

struct LintIssue {
  std::string name;
  std::string message;
  bool fatal = false;
};

struct CertProfileExpectation {
  uint32_t validity_days = 0;  // 0: not checked
  int32_t path_len = -1;       // -1: pathLenConstraint must be absent
  // The profile's nameConstraints dNSName subtrees: the TBS must carry
  // exactly these (critical), or no nameConstraints when both are empty.
  std::vector<std::string> permitted_dns;
  std::vector<std::string> excluded_dns;
};

// Key findings (all fatal): "key-algorithm-not-allowed" (only RSA and EC
// P-256/P-384/P-521 keys), "key-too-small" (RSA under 2048 bits),
// "rsa-exponent-not-65537", "key-invalid" (an EC point off its curve or a
// key OpenSSL's public check refuses). Name constraints (waivable):
// "name-constraints-mismatch", "name-constraints-not-critical".

// LintTbsCertificate returns the findings for |tbs_der| to be issued under
// |root| (borrowed) with |profile|. An empty result means clean. Never fails:
// bytes that do not parse give one fatal finding "tbs-unparseable".
std::vector<LintIssue> LintTbsCertificate(std::string_view tbs_der, X509& root,
                                          const CertProfileExpectation& profile);

// LintTbsCertList: the same for a CRL whose nextUpdate should be at most
// |next_update_days| after thisUpdate.
std::vector<LintIssue> LintTbsCertList(std::string_view tbs_der, X509& root, uint32_t next_update_days);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_LINT_TBS_LINT_H_
