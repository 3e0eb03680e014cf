// audit_key_command.h — `ceremony audit-key`: asks the appliance for its
// audit public key (GetStatus) and writes it as PEM, printing its SHA-256
// fingerprint (of the DER SubjectPublicKeyInfo) so the room can compare it
// with the one written down at root-init before pinning it for
// verify-transcript.
#ifndef PKI_CEREMONY_TOOLS_AUDIT_KEY_COMMAND_H_
#define PKI_CEREMONY_TOOLS_AUDIT_KEY_COMMAND_H_

#include <memory>
#include <string>

#include "base/status.h"
#include "link_client/link_client.h"

namespace pki::ceremony {

// AuditKeyCommand fetches the key over |client| and writes it to |out_path|
// (0644, PEM "PUBLIC KEY"); prints "audit key SHA-256 <hex>" and the PGP
// words on stdout. UNIMPLEMENTED if the appliance reports no audit key.
Status AuditKeyCommand(std::unique_ptr<host_agent::LinkClient> client, const std::string& out_path);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_TOOLS_AUDIT_KEY_COMMAND_H_
