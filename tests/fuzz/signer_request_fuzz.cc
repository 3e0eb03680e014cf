// Fuzzes what signerd does with a request's untrusted bytes before policy
// and HSM, as far as it is callable outside signer/src/server/service.cc:
//   0: SignRequest         protobuf parse, Policy::Authorize for the named
//                          key, ToSignAlgorithm, then the Sign handler's own
//                          field checks (server/sign_request_check.h:
//                          request_id, key_name, digest/message shape and
//                          length, input CRC32C)
//   1: IssueCertificateRequest  protobuf parse, Policy::AuthorizeIssue for
//                          the profile, then IssuanceEngine::Issue with the
//                          request's fields (software TbsSigner, no HSM)
//   2: GetPublicKeyRequest protobuf parse, Policy::Authorize
//   3: the client certificate PEM from the TLS auth context:
//                          PeerIdentityFromPem, then Policy::Identify (a
//                          client recognized must be named by the
//                          certificate's URI SAN / DNS SAN / subject)
// selected by the first byte (mod 4); the rest is the message.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "base/crc32.h"
#include "policy/peer_identity.h"
#include "policy/policy.h"
#include "server/convert.h"
#include "server/sign_request_check.h"
#include "signer/v1/signer.pb.h"
#include "signer_issuance_setup.h"

namespace {

namespace fz = pki::fuzz;
namespace signer = pki::signer;
namespace v1 = pki::signer::v1;

struct State {
  fz::IssuanceRig rig;
  std::unique_ptr<signer::Policy> policy;
  const signer::ClientPolicy* client = nullptr;
};

State& GetState() {
  static State* s = [] {
    // Malformed UTF-8 in string fields is expected here: keep protobuf quiet.
    google::protobuf::SetLogHandler(nullptr);
    auto* st = new State;
    fz::SetUpIssuance(st->rig);
    signer::KeyConfig sign_key;
    sign_key.name = "artifacts";
    sign_key.purpose = signer::KeyPurpose::kArtifactSigning;
    signer::KeyConfig issue_key;
    issue_key.name = fz::kIssuerKeyName;
    issue_key.purpose = signer::KeyPurpose::kCertificateIssuance;
    signer::PolicyConfig pc;
    signer::ClientPolicy ra;
    ra.name = "ra-1";
    ra.kind = signer::IdentityKind::kUriSan;
    ra.identity = "spiffe://prod.example.org/ra";
    ra.keys = {{"artifacts", true, true}, {fz::kIssuerKeyName, false, true}};
    ra.issue_profiles = {"tls-server", "spiffe-workload", "permissive"};
    ra.allowlist = fz::WideAllowlist();
    signer::ClientPolicy ci;
    ci.name = "ci";
    ci.kind = signer::IdentityKind::kSubject;
    ci.identity = "CN=ci,O=Example";
    ci.keys = {{"artifacts", false, true}};
    pc.clients = {ra, ci};
    std::vector<signer::Profile> profiles = signer::DefaultProfiles(fz::kIssuerKeyName);
    profiles.push_back(fz::PermissiveProfile());
    auto policy = signer::Policy::Create(pc, {sign_key, issue_key}, profiles);
    PKI_CHECK(policy.ok());
    st->policy = std::move(policy).value();
    st->client = &st->policy->config().clients[0];
    return st;
  }();
  return *s;
}

void FuzzSign(State& st, const std::string& bytes) {
  v1::SignRequest req;
  if (!req.ParseFromString(bytes)) return;
  pki::Status allowed = st.policy->Authorize(*st.client, req.key_name(), signer::Operation::kSign);
  if (!allowed.ok()) PKI_CHECK(!allowed.message().empty());
  auto alg = signer::ToSignAlgorithm(req.algorithm());
  if (!alg) return;
  PKI_CHECK(*alg != signer::SignAlgorithm::kUnspecified);
  const v1::Digest::DigestCase want = signer::DigestCaseFor(*alg);
  const size_t len = signer::DigestLength(*alg);
  PKI_CHECK((want == v1::Digest::DIGEST_NOT_SET) == (len == 0));
  (void)signer::ToProto(*alg);
  // The Sign handler's own checks, in its order.
  if (!signer::CheckSignFields(req).status.ok()) return;
  std::string_view input;
  const signer::ApiError shape = signer::SignInputOf(req, *alg, &input);
  if (!shape.status.ok()) {
    PKI_CHECK(!shape.reason.empty());
    return;
  }
  // An accepted input is exactly what the algorithm signs.
  if (*alg == signer::SignAlgorithm::kEd25519) {
    PKI_CHECK(input.size() <= signer::kMaxMessageBytes);
  } else {
    PKI_CHECK(input.size() == len && req.digest().digest_case() == want);
  }
  const signer::ApiError crc = signer::CheckInputCrc32c(req, input);
  PKI_CHECK(crc.status.ok() == (!req.has_input_crc32c() || pki::Crc32c(pki::AsBytes(input)) == req.input_crc32c()));
}

void FuzzIssue(State& st, const std::string& bytes) {
  v1::IssueCertificateRequest req;
  if (!req.ParseFromString(bytes)) return;
  pki::Status allowed = st.policy->AuthorizeIssue(*st.client, req.profile());
  if (!allowed.ok()) {
    PKI_CHECK(!allowed.message().empty());
    return;
  }
  signer::IssuanceRequest ir;
  ir.client_id = st.client->name;
  ir.request_id = req.request_id();
  ir.requester_ref = req.requester_ref();
  ir.profile = req.profile();
  ir.csr_der = req.csr_der();
  auto issued = st.rig.engine->Issue(ir, st.client->allowlist);
  if (issued.ok()) {
    fz::CheckIssued(st.rig, *issued, st.client->allowlist);
  } else {
    PKI_CHECK(!issued.status().message().empty());
  }
}

void FuzzGetPublicKey(State& st, const std::string& bytes) {
  v1::GetPublicKeyRequest req;
  if (!req.ParseFromString(bytes)) return;
  pki::Status s = st.policy->Authorize(*st.client, req.key_name(), signer::Operation::kGetPublicKey);
  if (req.key_name() == "artifacts" || req.key_name() == fz::kIssuerKeyName) {
    PKI_CHECK(s.ok());
  } else {
    PKI_CHECK(s.code() == pki::StatusCode::kNotFound);
  }
}

void FuzzPeer(State& st, const std::string& bytes) {
  auto peer = signer::PeerIdentityFromPem(bytes);
  if (!peer.ok()) return;
  auto client = st.policy->Identify(*peer);
  if (!client.ok()) return;
  // A client is only recognized by what its certificate really says.
  const signer::ClientPolicy& c = **client;
  const auto has = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  switch (c.kind) {
    case signer::IdentityKind::kUriSan: PKI_CHECK(has(peer->uri_sans, c.identity)); break;
    case signer::IdentityKind::kDnsSan: PKI_CHECK(has(peer->dns_sans, c.identity)); break;
    case signer::IdentityKind::kSubject: PKI_CHECK(peer->subject == c.identity); break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  State& st = GetState();
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: FuzzSign(st, bytes); break;
    case 1: FuzzIssue(st, bytes); break;
    case 2: FuzzGetPublicKey(st, bytes); break;
    default: FuzzPeer(st, bytes); break;
  }
  ERR_clear_error();
  return 0;
}
