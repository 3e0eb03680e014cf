#include "artifact_commands.h"

#include <openssl/x509.h>

#include <cstdio>

#include "base/crc32.h"
#include "client_channel.h"
#include "common/file.h"
#include "common/pem.h"
#include "signer/cms.h"

namespace pki::signer {
namespace {

int Local(const Status& s) {
  std::fprintf(stderr, "signer-client: %s: %.*s\n", StatusCodeName(s.code()),
               static_cast<int>(s.message().size()), s.message().data());
  return 2;
}

int Refused(const grpc::Status& s) {
  std::fprintf(stderr, "signer-client: %s\n", DescribeError(s).c_str());
  return 3;
}

std::string DerOf(X509* cert) {
  unsigned char* out = nullptr;
  const int n = i2d_X509(cert, &out);
  if (n <= 0) return "";
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return der;
}

bool IsSelfSigned(const std::string& der) {
  auto certs = ParseCertificates(der);
  if (!certs.ok() || certs->empty()) return false;
  X509* c = certs->front().get();
  return X509_check_issued(c, c) == X509_V_OK && X509_verify(c, X509_get0_pubkey(c)) == 1;
}

void Deadline(grpc::ClientContext& ctx, std::chrono::seconds timeout) {
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
}

}  // namespace

int RunIssue(v1::Signer::Stub& stub, std::chrono::seconds timeout, const IssueArgs& args) {
  auto csr = ReadFile(args.csr_file, 64u << 10);
  if (!csr.ok()) return Local(csr.status());
  std::string csr_der = *csr;
  if (csr_der.find("-----BEGIN") != std::string::npos) {
    OsslPtr<BIO> bio(BIO_new_mem_buf(csr_der.data(), static_cast<int>(csr_der.size())));
    OsslPtr<X509_REQ> req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (req == nullptr) return Local(InvalidArgumentError("--csr: not a PEM certificate request: ").Append(args.csr_file));
    unsigned char* out = nullptr;
    const int n = i2d_X509_REQ(req.get(), &out);
    if (n <= 0) return Local(InvalidArgumentError("--csr: cannot re-encode the request"));
    csr_der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(n));
    OPENSSL_free(out);
  }
  v1::IssueCertificateRequest req;
  req.set_profile(args.profile);
  req.set_csr_der(csr_der);
  req.set_request_id(args.request_id);
  req.set_requester_ref(args.ref);
  v1::IssueCertificateResponse resp;
  grpc::ClientContext ctx;
  Deadline(ctx, timeout);
  grpc::Status s = stub.IssueCertificate(&ctx, req, &resp);
  if (!s.ok()) return Refused(s);
  const std::string pem = DerToPem("CERTIFICATE", resp.certificate_der());
  if (Status w = WriteFileAtomic(args.out_file, AsBytes(pem), 0644); !w.ok()) return Local(w);
  if (!args.chain_out_file.empty()) {
    std::string chain;
    for (const std::string& c : resp.chain_der()) chain += DerToPem("CERTIFICATE", c);
    if (Status w = WriteFileAtomic(args.chain_out_file, AsBytes(chain), 0644); !w.ok()) return Local(w);
  }
  std::string serial;
  static const char* kHex = "0123456789abcdef";
  for (unsigned char b : resp.serial()) {
    serial.push_back(kHex[b >> 4]);
    serial.push_back(kHex[b & 15]);
  }
  std::printf("issued serial %s under %s, audit id %s\n", serial.c_str(), args.profile.c_str(),
              resp.audit_id().c_str());
  return 0;
}

int RunSignArtifact(v1::Signer::Stub& stub, std::chrono::seconds timeout, const SignArtifactArgs& args) {
  auto data = ReadFile(args.in_file);
  if (!data.ok()) return Local(data.status());
  v1::GetPublicKeyRequest preq;
  preq.set_key_name(args.key);
  v1::GetPublicKeyResponse pub;
  {
    grpc::ClientContext ctx;
    Deadline(ctx, timeout);
    grpc::Status s = stub.GetPublicKey(&ctx, preq, &pub);
    if (!s.ok()) return Refused(s);
  }
  if (pub.certificate_chain_der_size() == 0) {
    return Local(FailedPreconditionError("key '").Append(args.key).Append("' has no certificate (chain_file) on the signer"));
  }
  SignAlgorithm alg = SignAlgorithm::kUnspecified;
  if (!args.alg.empty()) {
    auto parsed = ParseAlgorithm(args.alg);
    if (!parsed) return Local(InvalidArgumentError("unknown --alg '").Append(args.alg).Append("'"));
    alg = *parsed;
  } else {
    for (int a : pub.algorithms()) {
      const auto cand = static_cast<SignAlgorithm>(a);
      if (cand == SignAlgorithm::kEcdsaP256Sha256 || cand == SignAlgorithm::kEcdsaP384Sha384 ||
          cand == SignAlgorithm::kRsaPkcs1Sha256) {
        alg = cand;
        break;
      }
    }
    if (alg == SignAlgorithm::kUnspecified) {
      return Local(UnimplementedError("the key offers no algorithm CMS signing supports"));
    }
  }
  CmsSignRequest creq;
  creq.algorithm = alg;
  creq.content_digest = HashFor(alg == SignAlgorithm::kEcdsaP384Sha384 || alg == SignAlgorithm::kRsaPkcs1Sha384
                                    ? SignAlgorithm::kEcdsaP384Sha384
                                    : SignAlgorithm::kEcdsaP256Sha256,
                                *data);
  creq.signer_cert_der = pub.certificate_chain_der(0);
  for (int i = 1; i < pub.certificate_chain_der_size(); ++i) {
    if (!IsSelfSigned(pub.certificate_chain_der(i))) creq.chain_der.push_back(pub.certificate_chain_der(i));
  }
  grpc::Status last_rpc = grpc::Status::OK;
  RawSignFn sign = [&](SignAlgorithm a, ByteSpan input) -> StatusOr<std::string> {
    v1::SignRequest req;
    req.set_key_name(args.key);
    req.set_key_version(pub.key_version());
    req.set_algorithm(static_cast<v1::Algorithm>(a));
    req.set_request_id(args.request_id);
    const std::string digest(AsChars(input));
    if (digest.size() == 32) {
      req.mutable_digest()->set_sha256(digest);
    } else if (digest.size() == 48) {
      req.mutable_digest()->set_sha384(digest);
    } else {
      req.mutable_digest()->set_sha512(digest);
    }
    req.set_input_crc32c(Crc32c(input));
    v1::SignResponse resp;
    grpc::ClientContext ctx;
    Deadline(ctx, timeout);
    last_rpc = stub.Sign(&ctx, req, &resp);
    if (!last_rpc.ok()) return UnavailableError("Sign RPC refused");
    if (resp.signature_crc32c() != Crc32c(AsBytes(resp.signature()))) {
      return DataLossError("the signature was damaged in transit");
    }
    return resp.signature();
  };
  auto cms = SignDetachedCms(creq, sign);
  if (!last_rpc.ok()) return Refused(last_rpc);
  if (!cms.ok()) return Local(cms.status());
  if (Status w = WriteFileAtomic(args.out_file, AsBytes(*cms), 0644); !w.ok()) return Local(w);
  std::printf("signed %s with %s version %u (%s): %s\n", args.in_file.c_str(), args.key.c_str(),
              pub.key_version(), AlgorithmName(alg), args.out_file.c_str());
  return 0;
}

int RunVerifyArtifact(const VerifyArtifactArgs& args) {
  auto data = ReadFile(args.in_file);
  if (!data.ok()) return Local(data.status());
  auto sig = ReadFile(args.sig_file, 1u << 20);
  if (!sig.ok()) return Local(sig.status());
  auto roots_text = ReadFile(args.ca_file, 1u << 20);
  if (!roots_text.ok()) return Local(roots_text.status());
  auto roots = ParseCertificates(*roots_text);
  if (!roots.ok() || roots->empty()) {
    return Local(InvalidArgumentError("--ca: no certificate in ").Append(args.ca_file));
  }
  std::vector<std::string> roots_der;
  for (const auto& r : *roots) roots_der.push_back(DerOf(r.get()));
  // The CMS names its digest algorithm; we support SHA-256 and SHA-384.
  Status last = OkStatus();
  for (SignAlgorithm a : {SignAlgorithm::kEcdsaP256Sha256, SignAlgorithm::kEcdsaP384Sha384}) {
    const std::string digest = HashFor(a, *data);
    auto v = VerifyDetachedCms(*sig, AsBytes(digest), roots_der);
    if (v.ok()) {
      auto cert = ParseCertificates(v->signer_cert_der);
      char subject[256] = "?";
      if (cert.ok() && !cert->empty()) {
        X509_NAME_oneline(X509_get_subject_name(cert->front().get()), subject, sizeof(subject));
      }
      std::printf("verified: %s signed by %s\n", args.in_file.c_str(), subject);
      return 0;
    }
    if (last.ok() || v.status().message().find("digest algorithm does not match") == std::string_view::npos) {
      last = v.status();  // keep the more telling error of the two tries
    }
    if (v.status().code() == StatusCode::kInvalidArgument) break;
  }
  std::fprintf(stderr, "signer-client: verify-artifact: %s: %.*s\n", StatusCodeName(last.code()),
               static_cast<int>(last.message().size()), last.message().data());
  return 3;
}

}  // namespace pki::signer
