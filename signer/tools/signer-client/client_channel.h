// client_channel.h — what signer-client and the load generator share: the
// mutual-TLS channel, algorithm names, error rendering.
#ifndef PKI_SIGNER_TOOLS_SIGNER_CLIENT_CLIENT_CHANNEL_H_
#define PKI_SIGNER_TOOLS_SIGNER_CLIENT_CLIENT_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>

#include "base/status_or.h"
#include "signer/key_pool.h"

namespace pki::signer {

struct ClientTls {
  std::string ca_file;    // CA bundle that signed the server certificate
  std::string cert_file;  // client certificate chain, PEM
  std::string key_file;   // client private key, PEM, mode 0600 or stricter
  std::string server_name;  // expected server name if not the address's host
};

// MakeChannel connects (lazily) to |address| with mutual TLS. NOT_FOUND /
// PERMISSION_DENIED naming the file that can't be read (the key file must be
// private). The key's bytes are wiped from our copies once grpc has its own.
StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& address, const ClientTls& tls);

// ParseAlgorithm maps "ecdsa-p256-sha256" etc. (AlgorithmName) to the enum.
std::optional<SignAlgorithm> ParseAlgorithm(const std::string& name);

// DescribeError renders a failed call: "CODE: message [REASON] (retry after Nms)".
std::string DescribeError(const grpc::Status& s);

// HashFor hashes |data| with the hash of |alg| (empty for Ed25519).
std::string HashFor(SignAlgorithm alg, std::string_view data);

}  // namespace pki::signer

#endif  // PKI_SIGNER_TOOLS_SIGNER_CLIENT_CLIENT_CHANNEL_H_
