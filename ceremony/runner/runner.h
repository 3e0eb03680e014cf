// runner.h — runs a validated ceremony script against an appliance, step by
// step, with the people in the room (through a Prompter), and leaves a
// signed transcript and the artifacts on the removable media.
//
// Safety rules it keeps: a production appliance is refused unless
// allow_production; every irreversible step needs a typed confirmation by
// the named person; an operation left open by a failure or an abort is
// aborted on the appliance (its quorum zeroized), so a re-run starts clean;
// released artifacts are checked to sign exactly the previewed bytes under
// the root key before they are written.
#ifndef PKI_CEREMONY_RUNNER_RUNNER_H_
#define PKI_CEREMONY_RUNNER_RUNNER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "base/status_or.h"
#include "ceremony/runner/prompter.h"
#include "ceremony/schema/script.h"
#include "ceremony/session/appliance_session.h"
#include "ceremony/v1/transcript.pb.h"

namespace pki::ceremony {

struct RunOptions {
  std::string media_dir;                  // CSRs in, artifacts and transcripts out
  bool allow_production = false;          // required to run against a production build
  std::string previous_transcript;        // path of the previous ceremony's transcript, if any
  std::function<int64_t()> now;           // clock (unix seconds); default: system clock
};

struct RunResult {
  v1::CeremonyOutcome outcome = v1::CEREMONY_OUTCOME_UNSPECIFIED;
  Status status;                          // why it aborted or failed (OK if completed)
  std::string transcript_path;            // relative to media_dir; empty if none was written
  v1::TranscriptBody body;
};

class Runner final {
 public:
  // Create checks the options (media folder exists, previous transcript
  // decodes). Borrows |script|, |session| and |prompter| for the Runner's
  // life. INVALID_ARGUMENT naming the bad option.
  static StatusOr<std::unique_ptr<Runner>> Create(const Script& script, ApplianceSession& session,
                                                  Prompter& prompter, RunOptions options);

  // Run performs the ceremony. Returns the result (COMPLETED, ABORTED or
  // FAILED, with the reason); the transcript is written and signed in every
  // case the appliance can still sign. Returns an error status only when
  // nothing was started (e.g. production appliance without
  // allow_production, appliance unreachable).
  StatusOr<RunResult> Run();

  ~Runner();

 private:
  struct State;
  Runner(const Script& script, ApplianceSession& session, Prompter& prompter, RunOptions options);
  // Step handlers (runner_steps.cc); each returns CANCELLED for an abort.
  Status RunStep(int index, v1::StepRecord& record);
  Status Attendance(const v1::Step& step);
  Status VerifyAppliance(const v1::Step& step, v1::StepRecord& record);
  Status InitRoot(int index, v1::StepRecord& record);
  Status BeginOperation(int index, v1::StepRecord& record);
  Status ConfirmFingerprint(const v1::Step& step, v1::StepRecord& record);
  Status CollectShares(const v1::Step& step, v1::StepRecord& record);
  Status Execute(const v1::Step& step, v1::StepRecord& record);
  Status ExportJournal(const v1::Step& step, v1::StepRecord& record);
  // ConfirmNewShares has every custodian re-enter the share just written to
  // |share_dir| with their new passphrase; the appliance commits the split at
  // the last one. On any failure the staged split is cancelled on the
  // appliance, the new share files are removed, and the error names the
  // custodian.
  Status ConfirmNewShares(const v1::Step& step, const std::vector<WrappedShareFile>& shares,
                          const std::string& share_dir, v1::StepRecord& record);
  Status ConfirmBy(const v1::Step& step, const std::string& question, const std::string& phrase);
  Status ReadInput(const std::string& step_id, const std::string& path, std::string* out);
  Status WriteOutput(const std::string& step_id, const std::string& path, std::string_view bytes,
                     mode_t mode);
  Status LoadRootKey();
  // Lint checks the previewed TBS of a signing step; FAILED_PRECONDITION on an unwaived finding.
  Status Lint(const v1::Step& step, const std::string& tbs);

  const Script& script_;
  ApplianceSession& session_;
  Prompter& prompter_;
  RunOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_RUNNER_RUNNER_H_
