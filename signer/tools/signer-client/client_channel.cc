#include "client_channel.h"

#include <openssl/evp.h>

#include "base/secret.h"
#include "common/file.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace pki::signer {

StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& address, const ClientTls& tls) {
  grpc::SslCredentialsOptions o;
  PKI_ASSIGN_OR_RETURN(o.pem_root_certs, ReadFile(tls.ca_file, 1u << 20));
  PKI_ASSIGN_OR_RETURN(o.pem_cert_chain, ReadFile(tls.cert_file, 1u << 20));
  PKI_ASSIGN_OR_RETURN(SecretBuffer key, ReadSecretFile(tls.key_file));
  o.pem_private_key.assign(key.ViewChars(SecretAccess::Grant()));
  grpc::ChannelArguments args;
  if (!tls.server_name.empty()) args.SetSslTargetNameOverride(tls.server_name);
  args.SetInt("grpc.use_local_subchannel_pool", 1);
  auto channel = grpc::CreateCustomChannel(address, grpc::SslCredentials(o), args);
  SecureZero(o.pem_private_key.data(), o.pem_private_key.size());
  return channel;
}

std::optional<SignAlgorithm> ParseAlgorithm(const std::string& name) {
  for (int i = 1; i <= 9; ++i) {
    const auto alg = static_cast<SignAlgorithm>(i);
    if (name == AlgorithmName(alg)) return alg;
  }
  return std::nullopt;
}

std::string DescribeError(const grpc::Status& s) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                                 "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
                                 "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  const int code = static_cast<int>(s.error_code());
  std::string out = (code >= 0 && code <= 16) ? kNames[code] : "UNKNOWN";
  out += ": " + s.error_message();
  google::rpc::Status st;
  if (!s.error_details().empty() && st.ParseFromString(s.error_details())) {
    for (const auto& any : st.details()) {
      google::rpc::ErrorInfo info;
      google::rpc::RetryInfo retry;
      if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) out += " [" + info.reason() + "]";
      if (any.Is<google::rpc::RetryInfo>() && any.UnpackTo(&retry)) {
        out += " (retry after " +
               std::to_string(retry.retry_delay().seconds() * 1000 + retry.retry_delay().nanos() / 1000000) +
               " ms)";
      }
    }
  }
  return out;
}

std::string HashFor(SignAlgorithm alg, std::string_view data) {
  const size_t len = DigestLength(alg);
  const EVP_MD* md = len == 32 ? EVP_sha256() : len == 48 ? EVP_sha384() : len == 64 ? EVP_sha512() : nullptr;
  if (md == nullptr) return "";
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  PKI_CHECK(EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) == 1);
  return std::string(reinterpret_cast<char*>(out), n);
}

}  // namespace pki::signer
