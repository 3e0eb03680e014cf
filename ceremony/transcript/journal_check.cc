#include "ceremony/transcript/journal_check.h"

#include "journal/export.h"

namespace pki::ceremony {

Status CheckJournalExport(const v1::SignedTranscript& t, std::string_view exported,
                          std::string_view audit_spki_der) {
  v1::TranscriptBody body;
  if (!body.ParseFromString(t.body())) return InvalidArgumentError("transcript body does not decode");
  auto summary = appliance::journal::VerifyJournalExportWithKey(AsBytes(exported), AsBytes(audit_spki_der));
  if (!summary.ok()) return summary.status();
  const std::string head(reinterpret_cast<const char*>(summary->head.data()), summary->head.size());
  if (head == body.after().journal_head()) return OkStatus();
  for (const auto& step : body.steps()) {
    if (step.kind() == "export_journal" && step.digest() == head) return OkStatus();
  }
  return FailedPreconditionError("journal: the export verifies but its head is not one this transcript recorded");
}

}  // namespace pki::ceremony
