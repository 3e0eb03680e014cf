// runner_internal.h — the runner's per-ceremony state, shared by runner.cc
// (the loop, cleanup, sealing) and runner_steps.cc (the step handlers).
#ifndef PKI_CEREMONY_RUNNER_RUNNER_INTERNAL_H_
#define PKI_CEREMONY_RUNNER_RUNNER_INTERNAL_H_

#include <map>
#include <set>
#include <string>

#include "ceremony/runner/runner.h"
#include "common/ossl.h"

namespace pki::ceremony {

struct Runner::State {
  struct Op {
    std::string nonce;
    std::string digest;   // what the display shows (request or root-certificate SHA-256)
    std::string tbs_der;  // the previewed to-be-signed bytes
    bool confirmed = false;
  };
  v1::TranscriptBody body;
  ApplianceStatus status;
  std::set<std::string> present;
  std::map<int, Op> ops;
  std::string open_nonce;  // a quorum session that must be aborted if we stop
  OsslPtr<EVP_PKEY> root_key;
  OsslPtr<X509> root_cert;
};

namespace internal {

// MakeParents creates the folders above |path| (0755); INTERNAL naming one it
// cannot create.
Status MakeParents(const std::string& path);
// DerFromFile returns |text| as DER: PEM is decoded, anything else is
// returned as is.
std::string DerFromFile(const std::string& text);
// WipePassphrases overwrites and clears the new custodians' passphrases a
// change-custodians request carries.
void WipePassphrases(appliance::v1::BeginOperationRequest& req);

}  // namespace internal
}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_RUNNER_RUNNER_INTERNAL_H_
