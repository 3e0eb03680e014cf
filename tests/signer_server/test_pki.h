// test_pki.h — real X.509 material for the signer's server tests, made with
// OpenSSL in a temp folder: a client CA, a server certificate for localhost,
// client certificates (URI SAN, subject-only, DNS SAN, one revoked, one not
// in any policy), a certificate from another CA, and the client CA's CRL.
#ifndef PKI_TESTS_SIGNER_SERVER_TEST_PKI_H_
#define PKI_TESTS_SIGNER_SERVER_TEST_PKI_H_

#include <string>
#include <vector>

#include "common/ossl.h"

namespace pki::testing {

struct Credential {
  std::string cert_file;  // PEM
  std::string key_file;   // PEM, mode 0600
  std::string cert_pem;
  std::string key_pem;
};

class TestPki final {
 public:
  // Creates everything under |dir| (must exist). Panics on failure: a test
  // fixture with no certificates has nothing to test.
  explicit TestPki(const std::string& dir);

  std::string ca_file;        // client CA (also signs the server certificate)
  std::string ca_pem;
  std::string crl_file;       // CRL of the CA, revoking `revoked`
  Credential server;          // CN=signer, SAN DNS:localhost, IP:127.0.0.1
  Credential ci;              // URI SAN spiffe://example.org/ci
  Credential ra;              // subject CN=ra,O=Example, no SAN
  Credential builder;         // DNS SAN builder.example.org
  Credential stranger;        // valid chain, in no policy
  Credential revoked;         // URI SAN spiffe://example.org/revoked, on the CRL
  Credential other_ca_client; // URI SAN spiffe://example.org/ci, from another CA

  // Issue makes another client credential from the CA, with |subject| (e.g.
  // "/O=Example/CN=x") and optional |san| ("URI:...", "DNS:...").
  Credential Issue(const std::string& name, const std::string& subject, const std::string& san);
  // IssueServer makes another server credential for localhost, written to
  // |dir|/|name|.pem and .key.
  Credential IssueServer(const std::string& dir, const std::string& name);

 private:
  static OsslPtr<X509> ParseFirst(const std::string& pem);

  std::string dir_;
  OsslPtr<EVP_PKEY> ca_key_;
  OsslPtr<X509> ca_cert_;
  long serial_ = 1;
};

// ReadText reads a whole file (panics if it can't).
std::string ReadText(const std::string& path);
// WriteText writes |text| to |path| with |mode|.
void WriteText(const std::string& path, const std::string& text, int mode = 0644);
// MakeTempDir makes a fresh private folder under /tmp.
std::string MakeTempDir(const std::string& prefix);

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNER_SERVER_TEST_PKI_H_
