// artifact_commands.h — signer-client's issue, sign-artifact and
// verify-artifact commands.
//
// sign-artifact makes a detached CMS SignedData on the client: the file is
// hashed here, GetPublicKey supplies the signer certificate and chain, and
// SignDetachedCms has the signer sign the DER signed attributes through the
// ordinary Sign RPC, so signerd only ever sees a digest. verify-artifact is
// local (no server): VerifyDetachedCms against the given root(s).
#ifndef PKI_SIGNER_TOOLS_SIGNER_CLIENT_ARTIFACT_COMMANDS_H_
#define PKI_SIGNER_TOOLS_SIGNER_CLIENT_ARTIFACT_COMMANDS_H_

#include <chrono>
#include <string>

#include "signer/v1/signer.grpc.pb.h"

namespace pki::signer {

struct IssueArgs {
  std::string profile;
  std::string csr_file;  // PEM or DER PKCS#10
  std::string request_id;
  std::string ref;
  std::string out_file;        // certificate, PEM
  std::string chain_out_file;  // optional: the chain (issuer first), PEM
};

struct SignArtifactArgs {
  std::string key;
  std::string alg;  // "" : the first CMS-capable algorithm the key offers
  std::string in_file;
  std::string out_file;  // DER CMS
  std::string request_id;
};

struct VerifyArtifactArgs {
  std::string in_file;
  std::string sig_file;  // DER CMS
  std::string ca_file;   // PEM root(s)
};

// Each returns the process exit code: 0 ok, 2 local/usage error, 3 refused
// by the server (or, for verify-artifact, a signature that does not verify).
// Messages go to stderr; nothing secret is printed.
int RunIssue(v1::Signer::Stub& stub, std::chrono::seconds timeout, const IssueArgs& args);
int RunSignArtifact(v1::Signer::Stub& stub, std::chrono::seconds timeout, const SignArtifactArgs& args);
int RunVerifyArtifact(const VerifyArtifactArgs& args);

}  // namespace pki::signer

#endif  // PKI_SIGNER_TOOLS_SIGNER_CLIENT_ARTIFACT_COMMANDS_H_
