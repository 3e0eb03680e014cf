// signer-client — the signer's command-line client (mutual TLS).
//
//   signer-client --server HOST:PORT --ca ca.pem --cert me.pem --key me.key
//       sign --key K --alg ecdsa-p256-sha256 (--in FILE | --digest-hex HEX) --out SIG
//   signer-client ... public-key --key K --out pub.pem
//   signer-client ... list-keys
//   signer-client ... issue --profile P --csr csr.pem --request-id ID [--ref T]
//       --out cert.pem [--chain-out chain.pem]
//   signer-client ... sign-artifact --key K --in FILE --out FILE.p7s [--alg A]
//   signer-client verify-artifact --in FILE --sig FILE.p7s --ca ROOT.pem
//       (local: no server, no client certificate)
//
// sign hashes FILE locally (Ed25519 sends the file itself, at most 64 KiB),
// sends CRC32C of the input and checks the one of the signature. SIG is DER
// for ECDSA and raw for RSA/Ed25519: what `openssl dgst -verify` and
// `openssl pkeyutl -verify` take. Exit codes: 0 ok, 2 usage or local input
// error, 3 the server refused (code, reason and retry hint on stderr).
#include <cstdio>
#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "base/crc32.h"
#include "artifact_commands.h"
#include "base/hex.h"
#include "client_channel.h"
#include "common/file.h"
#include "common/pem.h"
#include "signer/v1/signer.grpc.pb.h"

namespace {

using namespace pki;
using namespace pki::signer;

int Usage(const std::string& what) {
  std::fprintf(stderr, "signer-client: %s\n", what.c_str());
  return 2;
}

int Refused(const grpc::Status& s) {
  std::fprintf(stderr, "signer-client: %s\n", DescribeError(s).c_str());
  return 3;
}

int Local(const Status& s) {
  std::fprintf(stderr, "signer-client: %s: %.*s\n", StatusCodeName(s.code()),
               static_cast<int>(s.message().size()), s.message().data());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signer-client: sign with keys held by signerd"};
  std::string server = "localhost:8443";
  ClientTls tls;
  int timeout_s = 30;
  app.add_option("--server", server, "signerd address host:port");
  app.add_option("--ca", tls.ca_file, "CA bundle of the server certificate (required but for verify-artifact)");
  app.add_option("--cert", tls.cert_file, "client certificate (PEM; required but for verify-artifact)");
  app.add_option("--key", tls.key_file, "client private key (PEM, mode 0600; required but for verify-artifact)");
  app.add_option("--server-name", tls.server_name, "expected server name (default: the host)");
  app.add_option("--timeout", timeout_s, "seconds per call")->check(CLI::Range(1, 3600));
  app.require_subcommand(1);

  auto* sign = app.add_subcommand("sign", "sign a file or a digest");
  std::string key, alg_name, in_file, digest_hex, out_file, request_id;
  uint32_t version = 0;
  sign->add_option("--key", key, "key name")->required();
  sign->add_option("--alg", alg_name, "algorithm, e.g. ecdsa-p256-sha256")->required();
  auto* in_opt = sign->add_option("--in", in_file, "file to sign (hashed locally)");
  auto* dg_opt = sign->add_option("--digest-hex", digest_hex, "precomputed digest, hex");
  in_opt->excludes(dg_opt);
  sign->add_option("--out", out_file, "where to write the signature")->required();
  sign->add_option("--key-version", version, "key version (default: primary)");
  sign->add_option("--request-id", request_id, "id for correlation and audit");

  auto* pub = app.add_subcommand("public-key", "fetch a public key as PEM");
  std::string pub_key, pub_out;
  pub->add_option("--key", pub_key, "key name")->required();
  pub->add_option("--out", pub_out, "PEM output file")->required();
  pub->add_option("--key-version", version, "key version (default: primary)");

  auto* list = app.add_subcommand("list-keys", "list the keys and profiles this client may use");

  auto* issue = app.add_subcommand("issue", "have a certificate issued from a CSR under a profile");
  IssueArgs issue_args;
  issue->add_option("--profile", issue_args.profile, "certificate profile")->required();
  issue->add_option("--csr", issue_args.csr_file, "PKCS#10 request, PEM or DER")->required();
  issue->add_option("--request-id", issue_args.request_id, "idempotency key (retry with the same)")->required();
  issue->add_option("--ref", issue_args.ref, "requester reference for the audit log");
  issue->add_option("--out", issue_args.out_file, "certificate output (PEM)")->required();
  issue->add_option("--chain-out", issue_args.chain_out_file, "chain output, issuer first (PEM)");

  auto* sign_artifact = app.add_subcommand("sign-artifact", "detached CMS signature of a file (signer sees the digest only)");
  SignArtifactArgs sa_args;
  sign_artifact->add_option("--key", sa_args.key, "key name (needs a certificate on the signer)")->required();
  sign_artifact->add_option("--in", sa_args.in_file, "file to sign")->required();
  sign_artifact->add_option("--out", sa_args.out_file, "DER CMS output (.p7s)")->required();
  sign_artifact->add_option("--alg", sa_args.alg, "algorithm (default: the key's first CMS-capable one)");
  sign_artifact->add_option("--request-id", sa_args.request_id, "id for correlation and audit");

  auto* verify_artifact = app.add_subcommand("verify-artifact", "verify a detached CMS signature locally");
  VerifyArtifactArgs va_args;
  verify_artifact->add_option("--in", va_args.in_file, "the signed file")->required();
  verify_artifact->add_option("--sig", va_args.sig_file, "DER CMS (.p7s)")->required();
  verify_artifact->add_option("--ca", va_args.ca_file, "trusted root(s), PEM")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  if (verify_artifact->parsed()) return RunVerifyArtifact(va_args);
  if (tls.ca_file.empty() || tls.cert_file.empty() || tls.key_file.empty()) {
    return Usage("--ca, --cert and --key are required to talk to the signer");
  }
  auto channel = MakeChannel(server, tls);
  if (!channel.ok()) return Local(channel.status());
  auto stub = v1::Signer::NewStub(*channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_s));

  if (issue->parsed()) return RunIssue(*stub, std::chrono::seconds(timeout_s), issue_args);
  if (sign_artifact->parsed()) return RunSignArtifact(*stub, std::chrono::seconds(timeout_s), sa_args);
  if (sign->parsed()) {
    auto alg = ParseAlgorithm(alg_name);
    if (!alg) return Usage("unknown --alg '" + alg_name + "'");
    if (in_file.empty() == digest_hex.empty()) return Usage("give exactly one of --in or --digest-hex");
    v1::SignRequest req;
    req.set_key_name(key);
    req.set_key_version(version);
    req.set_algorithm(static_cast<v1::Algorithm>(*alg));
    req.set_request_id(request_id);
    std::string input;
    if (!in_file.empty()) {
      auto data = ReadFile(in_file);
      if (!data.ok()) return Local(data.status());
      input = *alg == SignAlgorithm::kEd25519 ? *data : HashFor(*alg, *data);
    } else {
      if (*alg == SignAlgorithm::kEd25519) return Usage("ed25519 signs a message: use --in");
      input.resize(digest_hex.size() / 2);
      auto n = HexDecode(MutableByteSpan(reinterpret_cast<uint8_t*>(input.data()), input.size()), digest_hex);
      if (!n.ok() || digest_hex.size() % 2 != 0) return Usage("--digest-hex is not valid hex");
      if (input.size() != DigestLength(*alg)) {
        return Usage("--digest-hex has " + std::to_string(input.size()) + " bytes; " + alg_name + " needs " +
                     std::to_string(DigestLength(*alg)));
      }
    }
    if (*alg == SignAlgorithm::kEd25519) {
      req.set_message(input);
    } else if (input.size() == 32) {
      req.mutable_digest()->set_sha256(input);
    } else if (input.size() == 48) {
      req.mutable_digest()->set_sha384(input);
    } else {
      req.mutable_digest()->set_sha512(input);
    }
    req.set_input_crc32c(Crc32c(AsBytes(input)));
    v1::SignResponse resp;
    grpc::Status s = stub->Sign(&ctx, req, &resp);
    if (!s.ok()) return Refused(s);
    if (resp.signature_crc32c() != Crc32c(AsBytes(resp.signature())) || !resp.verified_input_crc32c()) {
      std::fprintf(stderr, "signer-client: DATA_LOSS: the signature was damaged in transit\n");
      return 3;
    }
    Status w = WriteFileAtomic(out_file, AsBytes(resp.signature()), 0644);
    if (!w.ok()) return Local(w);
    std::printf("signed with %s version %u (%s), audit id %s\n", resp.key_name().c_str(), resp.key_version(),
                AlgorithmName(static_cast<SignAlgorithm>(resp.algorithm())), resp.audit_id().c_str());
    return 0;
  }
  if (pub->parsed()) {
    v1::GetPublicKeyRequest req;
    req.set_key_name(pub_key);
    req.set_key_version(version);
    v1::GetPublicKeyResponse resp;
    grpc::Status s = stub->GetPublicKey(&ctx, req, &resp);
    if (!s.ok()) return Refused(s);
    const std::string pem = DerToPem("PUBLIC KEY", resp.spki_der());
    Status w = WriteFileAtomic(pub_out, AsBytes(pem), 0644);
    if (!w.ok()) return Local(w);
    std::printf("%s version %u: %d algorithms, %d chain certificates\n", resp.key_name().c_str(),
                resp.key_version(), resp.algorithms_size(), resp.certificate_chain_der_size());
    return 0;
  }
  if (list->parsed()) {
    v1::ListKeysResponse resp;
    grpc::Status s = stub->ListKeys(&ctx, v1::ListKeysRequest(), &resp);
    if (!s.ok()) return Refused(s);
    for (const auto& k : resp.keys()) {
      std::printf("%s\t%s\tprimary=%u\tsign=%s\tpublic-key=%s\talgorithms=", k.name().c_str(),
                  v1::KeyPurpose_Name(k.purpose()).c_str(), k.primary_version(), k.may_sign() ? "yes" : "no",
                  k.may_get_public_key() ? "yes" : "no");
      for (int i = 0; i < k.algorithms_size(); ++i) {
        std::printf("%s%s", i ? "," : "", AlgorithmName(static_cast<SignAlgorithm>(k.algorithms(i))));
      }
      for (const auto& v : k.versions()) {
        std::printf("\tv%u:%s", v.version(), v1::KeyState_Name(v.state()).c_str());
      }
      std::printf("\n");
    }
    for (const auto& p : resp.profiles()) {
      std::printf("profile %s\tissuer=%s\n", p.name().c_str(), p.issuing_key().c_str());
    }
    return 0;
  }
  return Usage("no command");
}
