// answers_prompter.h — a Prompter that answers from an answers file
// (proto/ceremony/v1/answers.proto, textproto): who attends, each
// custodian's 0600 passphrase file, confirmations and deviations. For tests
// and rehearsals; a real ceremony uses TerminalPrompter.
#ifndef PKI_CEREMONY_RUNNER_ANSWERS_PROMPTER_H_
#define PKI_CEREMONY_RUNNER_ANSWERS_PROMPTER_H_

#include <memory>
#include <string>

#include "ceremony/runner/prompter.h"
#include "ceremony/v1/answers.pb.h"

namespace pki::ceremony {

class AnswersPrompter final : public Prompter {
 public:
  // Create parses |text| (textproto); passphrase files are relative to
  // |base_dir|. INVALID_ARGUMENT naming the line on a parse error, or naming
  // an answer for someone twice. |out| (borrowed, may be null) gets Say().
  static StatusOr<std::unique_ptr<AnswersPrompter>> Create(const std::string& text,
                                                           const std::string& base_dir,
                                                           std::string* out);

  void Say(const std::string& text) override;
  StatusOr<std::vector<std::string>> Attendance(const std::vector<std::string>& expected) override;
  StatusOr<bool> Confirm(const std::string& step_id, const std::string& person,
                         const std::string& question, const std::string& phrase) override;
  StatusOr<SecretBuffer> Passphrase(const std::string& custodian, bool new_one) override;
  StatusOr<SecretBuffer> ConfirmPassphrase(const std::string& custodian) override;
  std::optional<std::string> Deviation(const std::string& step_id) override;

 private:
  AnswersPrompter(v1::Answers answers, std::string base_dir, std::string* out)
      : answers_(std::move(answers)), base_dir_(std::move(base_dir)), out_(out) {}
  const v1::StepAnswer* StepAnswerFor(const std::string& step_id) const;

  v1::Answers answers_;
  std::string base_dir_;
  std::string* out_;
};

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_RUNNER_ANSWERS_PROMPTER_H_
