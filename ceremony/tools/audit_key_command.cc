#include "ceremony/tools/audit_key_command.h"

#include <cstdio>

#include "ceremony/fingerprint/fingerprint.h"
#include "ceremony/fingerprint/pgp_words.h"
#include "ceremony/session/link_session.h"
#include "ceremony/transcript/transcript_signer.h"
#include "common/file.h"
#include "common/pem.h"

namespace pki::ceremony {

Status AuditKeyCommand(std::unique_ptr<host_agent::LinkClient> client, const std::string& out_path) {
  if (out_path.empty()) return InvalidArgumentError("--out is required");
  PKI_ASSIGN_OR_RETURN(std::unique_ptr<LinkApplianceSession> session,
                       LinkApplianceSession::Create(std::move(client), ""));
  PKI_ASSIGN_OR_RETURN(ApplianceStatus status, session->GetStatus());
  PKI_ASSIGN_OR_RETURN(std::string der, session->AuditPublicKeyDer());
  // Parse it back: the file must be a key openssl and verify-transcript read.
  const std::string pem = DerToPem("PUBLIC KEY", der);
  PKI_ASSIGN_OR_RETURN(std::string reparsed, PublicKeyDerFromPem(pem));
  if (reparsed != der) return DataLossError("the appliance's audit key is not a valid SubjectPublicKeyInfo");
  PKI_RETURN_IF_ERROR(WriteFileAtomic(out_path, AsBytes(pem), 0644));
  const std::string fp = Sha256(AsBytes(der));
  std::printf("appliance %s (%s, firmware %s)\naudit key written to %s\naudit key SHA-256 %s\n  PGP words %s\n",
              status.device_id.c_str(), status.state.c_str(), status.firmware_version.c_str(), out_path.c_str(),
              HexString(AsBytes(fp)).c_str(), PgpWords(AsBytes(fp)).c_str());
  return OkStatus();
}

}  // namespace pki::ceremony
