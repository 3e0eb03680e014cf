// journal_check.h — ties a transcript to the appliance's exported journal
// with the journal's own verifier (appliance/src/journal/export.h): the
// export must verify under the pinned audit key (hash chain, checkpoint and
// trailer signatures), and its head must be a head the transcript recorded.
#ifndef PKI_CEREMONY_TRANSCRIPT_JOURNAL_CHECK_H_
#define PKI_CEREMONY_TRANSCRIPT_JOURNAL_CHECK_H_

#include <string_view>

#include "base/status.h"
#include "ceremony/v1/transcript.pb.h"

namespace pki::ceremony {

// CheckJournalExport verifies |exported| (borrowed) under |audit_spki_der|
// and checks its head equals the head recorded by one of |t|'s
// export_journal steps or its after.journal_head. DATA_LOSS naming the
// record or part of the export that fails; FAILED_PRECONDITION if the export
// is valid but not the one this transcript recorded; INVALID_ARGUMENT if
// the body does not decode.
Status CheckJournalExport(const v1::SignedTranscript& t, std::string_view exported,
                          std::string_view audit_spki_der);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_TRANSCRIPT_JOURNAL_CHECK_H_
