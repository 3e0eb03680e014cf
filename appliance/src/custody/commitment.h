// commitment.h — the split's published commitments and the check every
// share passes when a custodian enters it.
//
// Commitment scheme (hash commitments kept on the device, see
// docs/custody.md): for share i of a split the device stores
//   C_i = SHA-256("pki-custody-commit-v1" || len(appliance id) ||
//                 appliance id || split id || i || M || N || y_i)
// and, for the reconstructed KEK (the quorum's second, independent check),
//   K   = SHA-256("pki-custody-kek-v1" || split id || KEK).
// A share that decrypts under its custodian's passphrase but whose value is
// not the one the split made (forged by someone who knows the passphrase,
// or from a tampered device record) is rejected by name at entry, instead of
// producing a wrong KEK later.
#ifndef PKI_APPLIANCE_CUSTODY_COMMITMENT_H_
#define PKI_APPLIANCE_CUSTODY_COMMITMENT_H_

#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "custody/shamir.h"
#include "custody/types.h"

namespace pki::appliance::custody {

// ShareCommitment returns C_i for |share| of split (|split_id|, |threshold|,
// |count|) on |appliance|. Never fails.
Commitment ShareCommitment(const ApplianceId& appliance, const SplitId& split_id,
                           uint8_t threshold, uint8_t count, const ShamirShare& share);

// KekCheck returns K for |kek| under |split_id|. Never fails.
Commitment KekCheck(const SplitId& split_id, const Kek& kek);

// VerifyShare parses |wrapped| (borrowed), checks it belongs to |split| on
// |appliance|, unwraps it with |passphrase| (secret, borrowed) and checks its
// commitment; on success writes the share to |out| (which the caller wipes).
// |claimed_name| is the custodian the host says is submitting (may be empty);
// if given it must match. Every error names the custodian ("custodian bob
// (share 2): ..."):
//   INVALID_ARGUMENT    checksum mismatch (transcription error), malformed
//                       share, bad passphrase length
//   PERMISSION_DENIED   share of another appliance; of another (retired or
//                       foreign) split; M/N/name not this split's; wrong
//                       passphrase or altered share (decryption failed);
//                       value does not match the commitment (forged)
//   FAILED_PRECONDITION KDF iteration count below the build's minimum
// |out| is cleared on every error.
Status VerifyShare(const SplitInfo& split, const ApplianceId& appliance, ByteSpan wrapped,
                   ByteSpan passphrase, std::string_view claimed_name, ShamirShare* out);

}  // namespace pki::appliance::custody

#endif  // PKI_APPLIANCE_CUSTODY_COMMITMENT_H_
