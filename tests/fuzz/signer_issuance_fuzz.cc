// Fuzzes the signer's certificate issuance up to and around the HSM call:
// PKCS#10 parse, proof of possession, key policy, names against the profile
// and the client's allowlist, CN rules, lint, idempotency, the TBS identity
// and signature checks. The HSM is replaced by a software TbsSigner
// (signer_issuance_setup.h); no PKCS#11 is involved.
//
// Input: one control byte, then the CSR DER.
//   bits 0-2: profile (tls-server, tls-client, code-signing, spiffe-workload,
//             permissive; modulo 5)
//   bit 3:    re-sign the CSR with a fixed P-256 key first (its names and
//             extensions stay as fuzzed) so mutations get past the
//             proof-of-possession check
//   bit 4:    the narrow allowlist instead of the wide one
//   bit 5:    reuse the previous request id (idempotency: replay / conflict)
// Invariants (PKI_CHECK): an issued certificate is a leaf that verifies
// under the issuer key with every DNS name under the allowlist; a refusal
// has a message; a replay is flagged as such.
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "signer_issuance_setup.h"

namespace {

namespace fz = pki::fuzz;

struct State {
  fz::IssuanceRig rig;
  pki::OsslPtr<EVP_PKEY> subject_key;
  pki::signer::NameAllowlist wide = fz::WideAllowlist();
  pki::signer::NameAllowlist narrow = fz::NarrowAllowlist();
  uint64_t counter = 0;
};

State& GetState() {
  static State* s = [] {
    auto* st = new State;
    fz::SetUpIssuance(st->rig);
    st->subject_key = fz::NewP256Key();
    return st;
  }();
  return *s;
}

// Resign replaces the CSR's key by |key| and signs it; "" if it does not parse.
std::string Resign(const uint8_t* der, size_t size, EVP_PKEY* key) {
  const unsigned char* p = der;
  pki::OsslPtr<X509_REQ> req(d2i_X509_REQ(nullptr, &p, static_cast<long>(size)));
  if (req == nullptr) return "";
  if (X509_REQ_set_pubkey(req.get(), key) != 1 || X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) {
    return "";
  }
  unsigned char* out = nullptr;
  const int len = i2d_X509_REQ(req.get(), &out);
  if (len <= 0) return "";
  std::string s(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  State& st = GetState();
  const uint8_t ctl = data[0];
  pki::signer::IssuanceRequest req;
  req.client_id = "ra-1";
  if ((ctl & 32u) == 0) ++st.counter;
  req.request_id = "fuzz-" + std::to_string(st.counter);
  req.requester_ref = "fuzz";
  req.profile = st.rig.profile_names[(ctl & 7u) % st.rig.profile_names.size()];
  if ((ctl & 8u) != 0) {
    req.csr_der = Resign(data + 1, size - 1, st.subject_key.get());
    if (req.csr_der.empty()) req.csr_der.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    req.csr_der.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  }
  const pki::signer::NameAllowlist& allow = (ctl & 16u) != 0 ? st.narrow : st.wide;
  auto issued = st.rig.engine->Issue(req, allow);
  if (std::getenv("PKI_FUZZ_VERBOSE") != nullptr) {  // to check seeds
    std::fprintf(stderr, "%s %s: %s\n", req.profile.c_str(), req.request_id.c_str(),
                 issued.ok() ? "issued" : std::string(issued.status().message()).c_str());
  }
  if (issued.ok()) {
    fz::CheckIssued(st.rig, *issued, allow);
  } else {
    PKI_CHECK(!issued.status().message().empty());
    PKI_CHECK(issued.status().code() != pki::StatusCode::kInternal);  // lint/TBS/sig failure
  }
  ERR_clear_error();
  return 0;
}
