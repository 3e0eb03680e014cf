#include "ceremony/transcript/transcript.h"

#include <ctime>

#include "ceremony/fingerprint/fingerprint.h"
#include "ceremony/fingerprint/pgp_words.h"
#include "common/file.h"

namespace pki::ceremony {
namespace {

StatusOr<v1::TranscriptBody> DecodeBody(const v1::SignedTranscript& t) {
  v1::TranscriptBody body;
  if (t.body().empty() || !body.ParseFromString(t.body())) {
    return InvalidArgumentError("transcript body does not decode");
  }
  return body;
}

std::string Hex(const std::string& bytes) { return HexString(AsBytes(bytes)); }

std::string Utc(int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  const time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm_utc {};
  gmtime_r(&t, &tm_utc);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
  return buf;
}

const char* OutcomeName(v1::CeremonyOutcome o) {
  switch (o) {
    case v1::COMPLETED:
      return "COMPLETED";
    case v1::ABORTED:
      return "ABORTED";
    case v1::FAILED:
      return "FAILED";
    default:
      return "UNSPECIFIED";
  }
}

const char* StepOutcomeName(v1::StepOutcome o) {
  switch (o) {
    case v1::STEP_DONE:
      return "done";
    case v1::STEP_FAILED:
      return "FAILED";
    case v1::STEP_SKIPPED:
      return "skipped";
    default:
      return "-";
  }
}

}  // namespace

StatusOr<v1::SignedTranscript> Seal(const v1::TranscriptBody& body, TranscriptSigner& signer) {
  v1::SignedTranscript out;
  if (!body.SerializeToString(out.mutable_body())) return InternalError("transcript does not serialize");
  const std::string digest = Sha256(AsBytes(out.body()));
  PKI_ASSIGN_OR_RETURN(std::string sig, signer.SignDigest(AsBytes(digest)));
  out.set_signature(std::move(sig));
  out.set_audit_public_key(signer.PublicKeyDer());
  return out;
}

std::string TranscriptHash(const v1::SignedTranscript& t) { return Sha256(AsBytes(t.body())); }

StatusOr<v1::SignedTranscript> ParseSignedTranscript(std::string_view file_bytes) {
  v1::SignedTranscript t;
  if (!t.ParseFromString(std::string(file_bytes))) return InvalidArgumentError("transcript file does not decode");
  PKI_ASSIGN_OR_RETURN(v1::TranscriptBody body, DecodeBody(t));
  (void)body;
  return t;
}

Status Verify(const v1::SignedTranscript& t, const VerifyOptions& options) {
  PKI_ASSIGN_OR_RETURN(v1::TranscriptBody body, DecodeBody(t));
  if (options.audit_public_key_der.empty()) return InvalidArgumentError("no pinned audit key given");
  if (t.audit_public_key() != options.audit_public_key_der) {
    return Status(StatusCode::kUnauthenticated, "audit_public_key: not the pinned audit key");
  }
  const std::string digest = TranscriptHash(t);
  Status sig = VerifyDigestSignature(options.audit_public_key_der, AsBytes(digest), t.signature());
  if (!sig.ok()) return Status(sig.code(), "signature: ").Append(sig.message());

  if (options.previous.has_value()) {
    PKI_ASSIGN_OR_RETURN(v1::TranscriptBody prev, DecodeBody(*options.previous));
    if (body.previous_transcript_sha256() != TranscriptHash(*options.previous)) {
      return FailedPreconditionError("previous_transcript_sha256: does not match the previous transcript");
    }
    if (body.sequence() != prev.sequence() + 1) {
      return FailedPreconditionError("sequence: ").AppendNumber(body.sequence()).Append(
          " does not follow the previous transcript's ").AppendNumber(prev.sequence());
    }
    if (prev.after().journal_sequence() > body.before().journal_sequence()) {
      return FailedPreconditionError("before.journal_sequence: lower than the previous ceremony ended with");
    }
    if (prev.after().crl_number() > body.before().crl_number()) {
      return FailedPreconditionError("before.crl_number: lower than the previous ceremony ended with");
    }
  } else if (body.sequence() == 1 && !body.previous_transcript_sha256().empty()) {
    return FailedPreconditionError("previous_transcript_sha256: set on the first ceremony");
  }
  if (options.exported_journal_head.has_value() &&
      *options.exported_journal_head != body.after().journal_head()) {
    return FailedPreconditionError("after.journal_head: differs from the exported journal's head");
  }
  if (!options.media_dir.empty()) {
    for (int i = 0; i < body.artifacts_size(); ++i) {
      const auto& a = body.artifacts(i);
      if (a.path().empty() || a.path().find("..") != std::string::npos || a.path()[0] == '/') {
        return InvalidArgumentError("artifacts[").AppendNumber(static_cast<uint64_t>(i)).Append("]: bad path");
      }
      auto bytes = ReadFile(options.media_dir + "/" + a.path());
      if (!bytes.ok()) return DataLossError("artifact ").Append(a.path()).Append(": missing");
      if (Sha256(AsBytes(*bytes)) != a.sha256()) {
        return DataLossError("artifact ").Append(a.path()).Append(": SHA-256 differs from the transcript");
      }
    }
  }
  return OkStatus();
}

StatusOr<std::string> RenderMarkdown(const v1::SignedTranscript& t) {
  PKI_ASSIGN_OR_RETURN(v1::TranscriptBody b, DecodeBody(t));
  std::string md;
  md += "# Ceremony transcript: " + b.ceremony_name() + " (#" + std::to_string(b.sequence()) + ")\n\n";
  md += "| | |\n|---|---|\n";
  md += "| Outcome | " + std::string(OutcomeName(b.outcome())) +
        (b.outcome_detail().empty() ? "" : " — " + b.outcome_detail()) + " |\n";
  md += "| Started / finished (UTC) | " + Utc(b.started_unix()) + " / " + Utc(b.finished_unix()) + " |\n";
  md += "| Script SHA-256 | `" + Hex(b.script_sha256()) + "` |\n";
  md += "| Previous transcript | `" +
        (b.previous_transcript_sha256().empty() ? std::string("(first ceremony)")
                                                : Hex(b.previous_transcript_sha256())) + "` |\n";
  md += "| Transcript SHA-256 | `" + Hex(TranscriptHash(t)) + "` |\n";
  md += "| Transcript PGP words | " + PgpWords(AsBytes(TranscriptHash(t))) + " |\n";
  md += "| Appliance | device `" + b.appliance().device_id() + "`, firmware `" +
        b.appliance().firmware_version() + "`, " +
        (b.appliance().production_build() ? "PRODUCTION build" : "simulator/test build") + " |\n";
  md += "| Root certificate SHA-256 | `" + Hex(b.appliance().root_cert_sha256()) + "` |\n";
  md += "| Journal before / after | " + std::to_string(b.before().journal_sequence()) + " `" +
        Hex(b.before().journal_head()) + "` / " + std::to_string(b.after().journal_sequence()) + " `" +
        Hex(b.after().journal_head()) + "` |\n";
  md += "| CRL number before / after | " + std::to_string(b.before().crl_number()) + " / " +
        std::to_string(b.after().crl_number()) + " |\n";
  md += "| Quorum | " + std::to_string(b.threshold()) + " of " + std::to_string(b.total()) + " |\n\n";
  md += "## Steps\n\n| # | step | kind | time (UTC) | confirmed by | outcome | detail |\n|---|---|---|---|---|---|---|\n";
  for (const auto& s : b.steps()) {
    std::string detail = s.detail();
    if (!s.share_indices().empty()) {
      detail += " shares:";
      for (uint32_t i : s.share_indices()) detail += " #" + std::to_string(i);
    }
    md += "| " + std::to_string(s.index()) + " | " + s.step_id() + " | " + s.kind() + " | " +
          Utc(s.started_unix()) + " | " + s.confirmed_by() + " | " + StepOutcomeName(s.outcome()) +
          " | " + detail + " |\n";
  }
  md += "\n## Artifacts\n\n| direction | path | SHA-256 |\n|---|---|---|\n";
  for (const auto& a : b.artifacts()) {
    md += std::string("| ") + (a.direction() == v1::INPUT ? "in" : "out") + " | " + a.path() + " | `" +
          Hex(a.sha256()) + "` |\n";
  }
  md += "\n## Lint findings\n\n";
  if (b.lint().empty()) md += "None.\n";
  for (const auto& l : b.lint()) {
    md += "- " + l.step_id() + ": " + l.name() + " — " + l.message() +
          (l.waived() ? " (waived by the script's lint exception)" : " (FAILED the step)") + "\n";
  }
  md += "\n## Deviations\n\n";
  if (b.deviations().empty()) md += "None recorded.\n";
  for (const auto& d : b.deviations()) {
    md += "- " + Utc(d.unix_time()) + " " + d.step_id() + " (" + d.recorded_by() + "): " + d.text() + "\n";
  }
  md += "\n## Signatures\n\nI was present and this transcript is a true record.\n\n";
  auto line = [&](const std::string& role, const std::string& name) {
    md += "- " + role + " **" + name + "**: ______________________________ date: __________\n";
  };
  line("Administrator", b.administrator());
  for (const auto& c : b.custodians_present()) line("Custodian", c);
  for (const auto& w : b.witnesses_present()) line("Witness", w);
  return md;
}

}  // namespace pki::ceremony
