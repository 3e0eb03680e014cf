// test_ca.h — a software test root, CA/leaf certificates over given public
// keys, CSRs with chosen names and keys, and a recording journal. Test-only.
#ifndef PKI_TESTS_SIGNER_ISSUANCE_TEST_CA_H_
#define PKI_TESTS_SIGNER_ISSUANCE_TEST_CA_H_

#include <mutex>
#include <string>
#include <vector>

#include "common/ossl.h"
#include "signer/issuance.h"

namespace pki::testing {

// A software root CA (P-256), valid from now-1d for 10 years.
struct TestRoot {
  OsslPtr<EVP_PKEY> key;
  OsslPtr<X509> cert;
};
TestRoot MakeRoot();

// IssueCaCert returns a DER intermediate CA certificate for SubjectPublicKeyInfo
// |spki_der| signed by |root|, valid for |days| (from now-1d).
std::string IssueCaCert(TestRoot& root, const std::string& spki_der, const std::string& cn, long days);

// IssueCodeSigningCert returns a DER leaf (CA=false, KU digitalSignature,
// EKU codeSigning) for |spki_der| signed by |root|.
std::string IssueCodeSigningCert(TestRoot& root, const std::string& spki_der);

// NewKey makes a software key: "ec-p256", "ec-p384", "rsa-1024",
// "rsa-2048", "rsa-3072", "ed25519", "rsa-2048-e3".
OsslPtr<EVP_PKEY> NewKey(const std::string& type);

// MakeCsr returns a DER CSR signed by |key| with subject CN |cn| (none if
// empty) and subjectAltName |san| in OpenSSL config syntax ("DNS:a,IP:1.2.3.4";
// none if empty). |corrupt_signature| flips a bit of the signature.
std::string MakeCsr(EVP_PKEY& key, const std::string& cn, const std::string& san,
                    bool corrupt_signature = false);

// ToPem writes a DER certificate as PEM text.
std::string CertPem(const std::string& der);

// A journal that records everything; can be told to fail intents.
class RecordingJournal final : public signer::IssuanceJournal {
 public:
  struct Outcome {
    signer::IssuanceIntent intent;
    StatusCode code;
    std::string message;
    std::string cert_sha256;
  };
  Status RecordIntent(const signer::IssuanceIntent& intent) override;
  Status RecordOutcome(const signer::IssuanceIntent& intent, const Status& outcome,
                       std::string_view certificate_sha256_hex) override;

  void set_fail_intents(bool fail) { fail_intents_ = fail; }
  std::vector<signer::IssuanceIntent> intents() const;
  std::vector<Outcome> outcomes() const;

 private:
  mutable std::mutex mu_;
  bool fail_intents_ = false;
  std::vector<signer::IssuanceIntent> intents_;
  std::vector<Outcome> outcomes_;
};

}  // namespace pki::testing

#endif  // PKI_TESTS_SIGNER_ISSUANCE_TEST_CA_H_
