// fake_appliance_session.h — an in-memory appliance for runner tests that
// behaves like the real one where the runner can tell (quorum sessions bound
// to a nonce, one open operation, shares checked per custodian, Execute only
// once after a quorum, Abort zeroizes) and builds real X.509 with OpenSSL so
// the runner's checks (TBS equality, signature under the root, openssl
// verify) are exercised for real. Faults are switched on by fields.
#ifndef PKI_TESTS_CEREMONY_FAKE_APPLIANCE_SESSION_H_
#define PKI_TESTS_CEREMONY_FAKE_APPLIANCE_SESSION_H_

#include <map>
#include <string>
#include <vector>

#include "ceremony/session/appliance_session.h"
#include "common/ossl.h"

namespace pki::ceremony::testing {

class FakeApplianceSession final : public ApplianceSession {
 public:
  FakeApplianceSession();

  // Faults and knobs.
  bool production_build = false;
  bool tamper_result = false;      // Execute releases a certificate other than the previewed one
  bool fail_execute = false;       // Execute answers INTERNAL
  bool short_serial = false;       // intermediates get an 8-byte serial (a lint finding)

  // What tests inspect.
  bool has_pending_operation() const { return !pending_nonce_.empty(); }
  int aborts() const { return aborts_; }
  int executed() const { return executed_; }
  int begins() const { return begins_; }
  const std::string& audit_public_key() const { return audit_public_der_; }
  uint64_t crl_number() const { return crl_number_; }

  StatusOr<ApplianceStatus> GetStatus() override;
  StatusOr<std::string> RootCertificateDer() override;
  StatusOr<OperationResult> Init(const appliance::v1::InitRequest& request,
                                 const std::vector<CustodianPassphrase>& passphrases) override;
  // ConfirmShare checks the share and passphrase against the custodian's
  // current ones (the fake commits at Init/Execute already) and reports
  // committed at the last custodian.
  StatusOr<uint32_t> ConfirmShare(const std::string& custodian, const std::string& wrapped_share,
                                  const SecretBuffer& passphrase, bool* committed) override;
  Status CancelSplit() override { return confirmed_.empty() ? FailedPreconditionError("no split is staged") : OkStatus(); }
  StatusOr<OperationPreview> Begin(const appliance::v1::BeginOperationRequest& request) override;
  StatusOr<uint32_t> SubmitShare(const std::string& nonce, const std::string& custodian,
                                 const std::string& wrapped_share, const SecretBuffer& passphrase) override;
  StatusOr<OperationResult> Execute(const std::string& nonce) override;
  Status Abort(const std::string& nonce) override;
  StatusOr<std::string> ExportJournal(uint64_t from_sequence, std::string* out_head,
                                      uint64_t* out_next_sequence) override;
  Status AckExport(uint64_t up_to_sequence, const std::string& head) override;
  StatusOr<std::string> SignAuditDigest(const std::string& sha256) override;
  StatusOr<std::string> AuditPublicKeyDer() override;

 private:
  void Journal(const std::string& what);
  void ClearPending();

  OsslPtr<EVP_PKEY> audit_key_;
  std::string audit_public_der_;
  OsslPtr<EVP_PKEY> root_key_;
  std::string root_der_;
  uint32_t threshold_ = 0;
  std::map<std::string, std::string> share_of_;       // custodian -> wrapped share
  std::map<std::string, std::string> pass_digest_of_; // custodian -> SHA-256(passphrase)
  std::vector<std::string> journal_;
  std::string journal_head_ = std::string(32, '\0');
  uint64_t crl_number_ = 0;
  std::vector<std::string> revoked_serials_;
  // The open operation.
  std::string pending_nonce_;
  appliance::v1::BeginOperationRequest pending_request_;
  std::string pending_result_;  // signed when begun, released only on Execute
  std::map<std::string, bool> approvals_;
  int aborts_ = 0;
  int executed_ = 0;
  int begins_ = 0;
  int serial_counter_ = 0;
  std::map<std::string, bool> confirmed_;
};

}  // namespace pki::ceremony::testing

#endif  // PKI_TESTS_CEREMONY_FAKE_APPLIANCE_SESSION_H_
