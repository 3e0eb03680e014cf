#include "ceremony/runner/runner.h"
#include "ceremony/runner/runner_internal.h"

#include <sys/stat.h>

#include <ctime>
#include <map>
#include <set>

#include "ceremony/fingerprint/fingerprint.h"
#include "ceremony/fingerprint/pgp_words.h"
#include "ceremony/runner/result_check.h"
#include "ceremony/schema/plan.h"
#include "ceremony/transcript/transcript.h"
#include "common/file.h"
#include "common/pem.h"

namespace pki::ceremony {

namespace {

// SessionSigner seals the transcript with the appliance's audit key.
class SessionSigner final : public TranscriptSigner {
 public:
  SessionSigner(ApplianceSession& session, std::string public_der)
      : session_(session), public_der_(std::move(public_der)) {}
  StatusOr<std::string> SignDigest(ByteSpan sha256) override {
    return session_.SignAuditDigest(std::string(AsChars(sha256)));
  }
  std::string PublicKeyDer() const override { return public_der_; }

 private:
  ApplianceSession& session_;
  std::string public_der_;
};

}  // namespace

Runner::Runner(const Script& script, ApplianceSession& session, Prompter& prompter, RunOptions options)
    : script_(script), session_(session), prompter_(prompter), options_(std::move(options)),
      state_(std::make_unique<State>()) {}

Runner::~Runner() = default;

StatusOr<std::unique_ptr<Runner>> Runner::Create(const Script& script, ApplianceSession& session,
                                                  Prompter& prompter, RunOptions options) {
  struct stat st {};
  if (options.media_dir.empty() || stat(options.media_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return InvalidArgumentError("media folder does not exist: ").Append(options.media_dir);
  }
  if (!options.now) options.now = [] { return static_cast<int64_t>(std::time(nullptr)); };
  return std::unique_ptr<Runner>(new Runner(script, session, prompter, std::move(options)));
}

StatusOr<RunResult> Runner::Run() {
  State& s = *state_;
  const v1::Script& sc = script_.proto();
  PKI_ASSIGN_OR_RETURN(s.status, session_.GetStatus());
  if (s.status.lockout_seconds > 0) {
    prompter_.Say("WARNING: the appliance refuses quorum sessions for another " + std::to_string(s.status.lockout_seconds) +
                  " s after " + std::to_string(s.status.consecutive_failures) +
                  " wrong shares in a row; steps that need a quorum will fail until then");
  }
  if (s.status.production_build && !options_.allow_production) {
    return PermissionDeniedError("appliance ").Append(s.status.device_id).Append(
        " is a production build: refused without --allow-production");
  }
  // A split an interrupted earlier run staged (and left unconfirmed) is
  // wiped first, so this run starts clean; without one this changes nothing.
  session_.CancelSplit().Ignore();
  // A quorum session an interrupted earlier run left open (its link dropped
  // before it could Abort, or the BeginOperation answer was lost) would
  // refuse this run's operation until it expires: abort it (an empty nonce
  // aborts whatever is pending; the appliance journals it) and say so in the
  // transcript.
  std::string start_note;
  if (!s.status.pending_operation.empty()) {
    Status aborted = session_.Abort("");
    start_note = aborted.ok() ? "an operation an earlier run left open (" + s.status.pending_operation + ", " +
                                    std::to_string(s.status.shares_accepted) +
                                    " shares accepted) was aborted on the appliance at start"
                              : "ABORT OF AN OPERATION AN EARLIER RUN LEFT OPEN (" + s.status.pending_operation +
                                    ") FAILED: " + std::string(aborted.message());
    prompter_.Say(start_note);
    if (aborted.ok()) {
      PKI_ASSIGN_OR_RETURN(s.status, session_.GetStatus());
    }
  }
  v1::TranscriptBody& b = s.body;
  b.set_sequence(1);
  if (!options_.previous_transcript.empty()) {
    PKI_ASSIGN_OR_RETURN(std::string bytes, ReadFile(options_.previous_transcript));
    PKI_ASSIGN_OR_RETURN(v1::SignedTranscript prev, ParseSignedTranscript(bytes));
    v1::TranscriptBody prev_body;
    if (!prev_body.ParseFromString(prev.body())) return InvalidArgumentError("previous transcript body does not decode");
    b.set_sequence(prev_body.sequence() + 1);
    b.set_previous_transcript_sha256(TranscriptHash(prev));
  }
  b.set_ceremony_name(sc.name());
  b.set_script_sha256(script_.sha256());
  b.mutable_appliance()->set_device_id(s.status.device_id);
  b.mutable_appliance()->set_firmware_version(s.status.firmware_version);
  b.mutable_appliance()->set_production_build(s.status.production_build);
  b.mutable_appliance()->set_root_cert_sha256(s.status.root_cert_sha256);
  b.mutable_before()->set_journal_sequence(s.status.journal_sequence);
  b.mutable_before()->set_journal_head(s.status.journal_head);
  b.mutable_before()->set_crl_number(s.status.crl_number);
  b.set_administrator(sc.roles().administrator());
  b.set_threshold(sc.quorum().threshold());
  b.set_total(sc.quorum().total());
  b.set_started_unix(options_.now());
  prompter_.Say("Ceremony " + sc.name() + " #" + std::to_string(b.sequence()) + " on appliance " +
                s.status.device_id + " (" + (s.status.production_build ? "PRODUCTION" : "simulator/test") +
                " build, firmware " + s.status.firmware_version + ")");

  RunResult result;
  result.outcome = v1::COMPLETED;
  for (int i = 0; i < sc.steps_size(); ++i) {
    const v1::Step& step = sc.steps(i);
    v1::StepRecord* rec = b.add_steps();
    rec->set_index(static_cast<uint32_t>(i + 1));
    rec->set_step_id(step.id());
    rec->set_kind(StepKind(step));
    rec->set_confirmed_by(step.confirmed_by());
    rec->set_started_unix(options_.now());
    prompter_.Say("\n== Step " + std::to_string(i + 1) + "/" + std::to_string(sc.steps_size()) + ": " +
                  step.id() + (step.title().empty() ? "" : " — " + step.title()) + "\n   " +
                  DescribeStep(script_, i));
    Status st = RunStep(i, *rec);
    rec->set_finished_unix(options_.now());
    if (!st.ok()) {
      rec->set_outcome(v1::STEP_FAILED);
      rec->set_detail(std::string(st.message()));
      result.outcome = st.code() == StatusCode::kCancelled ? v1::ABORTED : v1::FAILED;
      result.status = st;
      prompter_.Say(std::string(result.outcome == v1::ABORTED ? "ABORTED" : "FAILED") + " at step " +
                    step.id() + ": " + std::string(st.message()));
      break;
    }
    rec->set_outcome(v1::STEP_DONE);
    if (auto note = prompter_.Deviation(step.id()); note.has_value()) {
      v1::Deviation* d = b.add_deviations();
      d->set_step_id(step.id());
      d->set_recorded_by(sc.roles().witnesses(0));
      for (const auto& w : sc.roles().witnesses()) {
        if (s.present.count(w) != 0) {
          d->set_recorded_by(w);
          break;
        }
      }
      d->set_text(*note);
      d->set_unix_time(options_.now());
    }
  }
  if (!s.open_nonce.empty()) {
    Status aborted = session_.Abort(s.open_nonce);
    b.set_outcome_detail(aborted.ok() ? "open operation aborted on the appliance (quorum zeroized)"
                                      : "ABORT OF THE OPEN OPERATION FAILED: " + std::string(aborted.message()));
    prompter_.Say(b.outcome_detail());
    s.open_nonce.clear();
  }
  if (!result.status.ok()) {
    b.set_outcome_detail(std::string(result.status.message()) +
                         (b.outcome_detail().empty() ? "" : "; " + b.outcome_detail()));
  }
  if (!start_note.empty()) {
    b.set_outcome_detail(b.outcome_detail().empty() ? start_note : start_note + "; " + b.outcome_detail());
  }
  b.set_outcome(result.outcome);
  if (auto after = session_.GetStatus(); after.ok()) {
    b.mutable_after()->set_journal_sequence(after->journal_sequence);
    b.mutable_after()->set_journal_head(after->journal_head);
    b.mutable_after()->set_crl_number(after->crl_number);
    b.mutable_appliance()->set_root_cert_sha256(after->root_cert_sha256);
  }
  b.set_finished_unix(options_.now());
  result.body = b;

  // Seal with the appliance's audit key and write both forms.
  const std::string stem = "out/transcripts/" + std::to_string(b.sequence()) + "-" + sc.name();
  const std::string dir = options_.media_dir + "/";
  auto key = session_.AuditPublicKeyDer();
  StatusOr<v1::SignedTranscript> sealed =
      key.ok() ? [&] {
        SessionSigner signer(session_, *key);
        return Seal(b, signer);
      }()
               : StatusOr<v1::SignedTranscript>(key.status());
  if (!sealed.ok()) {
    // Keep the record anyway: a SignedTranscript without signature, which
    // chains (--previous-transcript) but never verifies.
    v1::SignedTranscript unsigned_t;
    b.SerializeToString(unsigned_t.mutable_body());
    std::string raw;
    unsigned_t.SerializeToString(&raw);
    PKI_RETURN_IF_ERROR(internal::MakeParents(dir + stem));
    PKI_RETURN_IF_ERROR(WriteFileAtomic(dir + stem + ".unsigned.transcript", AsBytes(raw), 0644));
    PKI_ASSIGN_OR_RETURN(std::string md, RenderMarkdown(unsigned_t));
    md = "> **UNSIGNED TRANSCRIPT**: " + std::string(sealed.status().message()) + "\n\n" + md;
    PKI_RETURN_IF_ERROR(WriteFileAtomic(dir + stem + ".unsigned.md", AsBytes(md), 0644));
    result.transcript_path = stem + ".unsigned.transcript";
    prompter_.Say("TRANSCRIPT NOT SIGNED: " + std::string(sealed.status().message()) + "\n  written to " +
                  result.transcript_path + " and .md; SHA-256 " + GroupedHex(AsBytes(TranscriptHash(unsigned_t))));
    if (result.status.ok()) result.status = sealed.status();
    return result;
  }
  std::string file;
  sealed->SerializeToString(&file);
  PKI_RETURN_IF_ERROR(internal::MakeParents(dir + stem));
  PKI_RETURN_IF_ERROR(WriteFileAtomic(dir + stem + ".transcript", AsBytes(file), 0644));
  PKI_ASSIGN_OR_RETURN(std::string md, RenderMarkdown(*sealed));
  PKI_RETURN_IF_ERROR(WriteFileAtomic(dir + stem + ".md", AsBytes(md), 0644));
  result.transcript_path = stem + ".transcript";
  const std::string hash = TranscriptHash(*sealed);
  prompter_.Say("\nTranscript " + result.transcript_path + "\n  SHA-256 " + GroupedHex(AsBytes(hash)) +
                "\n  " + PgpWords(AsBytes(hash)));
  return result;
}

}  // namespace pki::ceremony
