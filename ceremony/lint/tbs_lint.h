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
};

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
