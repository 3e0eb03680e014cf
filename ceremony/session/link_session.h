// link_session.h — ApplianceSession over host-agent's LinkClient (unix
// socket to appliance-sim, or the serial device of the real appliance).
//
// SignAuditDigest is the link's SignTranscript: the appliance signs
// "pki-transcript-v1" || digest with its audit key (docs/appliance-link.md).
// RootCertificateDer asks the appliance (GetRootCertificate) and checks the
// DER against the root_cert_sha256 of GetStatus; only firmware without that
// request falls back to the media copy (`--root-cert`, out/root.crt).
#ifndef PKI_CEREMONY_SESSION_LINK_SESSION_H_
#define PKI_CEREMONY_SESSION_LINK_SESSION_H_

#include <memory>
#include <string>

#include "ceremony/session/appliance_session.h"
#include "link_client/link_client.h"

namespace pki::ceremony {

class LinkApplianceSession final : public ApplianceSession {
 public:
  // Create takes ownership of |client|; |root_cert_der| (may be empty) is
  // used only if the appliance cannot return its root certificate. INVALID_ARGUMENT if |client| is null.
  static StatusOr<std::unique_ptr<LinkApplianceSession>> Create(
      std::unique_ptr<host_agent::LinkClient> client, std::string root_cert_der);

  StatusOr<ApplianceStatus> GetStatus() override;
  StatusOr<std::string> RootCertificateDer() override;
  StatusOr<OperationResult> Init(const appliance::v1::InitRequest& request,
                                 const std::vector<CustodianPassphrase>& passphrases) override;
  StatusOr<uint32_t> ConfirmShare(const std::string& custodian, const std::string& wrapped_share,
                                  const SecretBuffer& passphrase, bool* committed) override;
  Status CancelSplit() override;
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
  LinkApplianceSession(std::unique_ptr<host_agent::LinkClient> client, std::string root)
      : client_(std::move(client)), root_der_(std::move(root)) {}
  // Call sends |req| and returns the response, mapping an Error body to a
  // Status with the appliance's code and message.
  StatusOr<appliance::v1::Response> Call(appliance::v1::Request req, int timeout_ms = 120000);
  // FetchAll reads the appliance's current result buffer.
  StatusOr<std::string> FetchAll();

  std::unique_ptr<host_agent::LinkClient> client_;
  std::string root_der_;
  std::string audit_der_;  // the audit key GetStatus last reported
};

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_SESSION_LINK_SESSION_H_
