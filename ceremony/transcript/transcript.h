// transcript.h — sealing a ceremony transcript and verifying one.
//
// Seal serializes the body once, signs SHA-256 of those exact bytes and keeps
// the bytes: the file on the media is a SignedTranscript, so verification
// never depends on re-serializing. A transcript chains to the previous one by
// the SHA-256 of its body (TranscriptHash).
#ifndef PKI_CEREMONY_TRANSCRIPT_TRANSCRIPT_H_
#define PKI_CEREMONY_TRANSCRIPT_TRANSCRIPT_H_

#include <optional>
#include <string>

#include "base/status_or.h"
#include "ceremony/transcript/transcript_signer.h"
#include "ceremony/v1/transcript.pb.h"

namespace pki::ceremony {

// Seal returns the signed transcript of |body| (borrowed), signed by |signer|
// (borrowed for the call). Fails with the signer's error.
StatusOr<v1::SignedTranscript> Seal(const v1::TranscriptBody& body, TranscriptSigner& signer);

// TranscriptHash returns SHA-256 of |signed_transcript|'s body bytes: what
// the next ceremony records as previous_transcript_sha256.
std::string TranscriptHash(const v1::SignedTranscript& signed_transcript);

// ParseSignedTranscript decodes a transcript file; INVALID_ARGUMENT naming
// what is wrong if the file or its body does not decode.
StatusOr<v1::SignedTranscript> ParseSignedTranscript(std::string_view file_bytes);

struct VerifyOptions {
  std::string audit_public_key_der;                 // required: the pinned audit key
  std::optional<v1::SignedTranscript> previous;     // the previous ceremony's transcript
  std::string media_dir;                            // if set, every artifact's hash is checked
  std::optional<std::string> exported_journal_head; // if set, must equal after.journal_head
};

// Verify checks |t|: the embedded key is the pinned one, the signature,
// the chain to |options.previous| (hash and sequence), the journal head, and
// each artifact's SHA-256 against the file under media_dir. Returns OK or the
// first failure, naming the place: UNAUTHENTICATED (signature, key),
// FAILED_PRECONDITION (chain, journal), DATA_LOSS (artifact changed or
// missing), INVALID_ARGUMENT (undecodable body). Reads files; writes nothing.
Status Verify(const v1::SignedTranscript& t, const VerifyOptions& options);

// RenderMarkdown returns the printable transcript: header, appliance,
// counters before/after, steps with times and who confirmed, artifacts with
// SHA-256 (hex and PGP words for outputs), lint, deviations, and a signature
// line per person present. |t| is borrowed; INVALID_ARGUMENT if the body
// does not decode.
StatusOr<std::string> RenderMarkdown(const v1::SignedTranscript& t);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_TRANSCRIPT_TRANSCRIPT_H_
