#include "ceremony/runner/answers_prompter.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <cstdio>
#include <set>

#include "common/file.h"

namespace pki::ceremony {
namespace {

class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (text.empty()) {
      text = "answers line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
    }
  }
  std::string text;
};

}  // namespace

StatusOr<std::unique_ptr<AnswersPrompter>> AnswersPrompter::Create(const std::string& text,
                                                                   const std::string& base_dir,
                                                                   std::string* out) {
  v1::Answers answers;
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &answers)) {
    return InvalidArgumentError(errors.text.empty() ? "answers file does not parse" : errors.text);
  }
  std::set<std::string> seen;
  for (const auto& c : answers.custodians()) {
    if (!seen.insert(c.name()).second) {
      return InvalidArgumentError("answers: custodian '").Append(c.name()).Append("' answered twice");
    }
  }
  return std::unique_ptr<AnswersPrompter>(new AnswersPrompter(std::move(answers), base_dir, out));
}

void AnswersPrompter::Say(const std::string& text) {
  if (out_ != nullptr) {
    *out_ += text;
    *out_ += "\n";
  }
}

StatusOr<std::vector<std::string>> AnswersPrompter::Attendance(const std::vector<std::string>& expected) {
  std::vector<std::string> present;
  for (const auto& name : expected) {
    for (const auto& p : answers_.present()) {
      if (p == name) present.push_back(name);
    }
  }
  return present;
}

const v1::StepAnswer* AnswersPrompter::StepAnswerFor(const std::string& step_id) const {
  for (const auto& s : answers_.steps()) {
    if (s.step_id() == step_id) return &s;
  }
  return nullptr;
}

StatusOr<bool> AnswersPrompter::Confirm(const std::string& step_id, const std::string& person,
                                        const std::string& question, const std::string& phrase) {
  if (answers_.abort_at_step() == step_id) return Status(StatusCode::kCancelled, "aborted by the answers file");
  const v1::StepAnswer* a = StepAnswerFor(step_id);
  const bool yes = a == nullptr || a->confirm();
  Say(question + " — " + person + (yes ? " types '" + phrase + "'" : " declines"));
  return yes;
}

StatusOr<SecretBuffer> AnswersPrompter::Passphrase(const std::string& custodian, bool new_one) {
  for (const auto& c : answers_.custodians()) {
    if (c.name() != custodian) continue;
    const std::string& file = new_one ? c.new_passphrase_file() : c.passphrase_file();
    if (file.empty()) break;
    const std::string path = file[0] == '/' ? file : base_dir_ + "/" + file;
    return ReadSecretFile(path);
  }
  return NotFoundError("no passphrase file for custodian '").Append(custodian).Append("'");
}

StatusOr<SecretBuffer> AnswersPrompter::ConfirmPassphrase(const std::string& custodian) {
  for (const auto& c : answers_.custodians()) {
    if (c.name() != custodian) continue;
    const std::string& file = c.confirm_passphrase_file().empty() ? c.new_passphrase_file() : c.confirm_passphrase_file();
    if (file.empty()) break;
    return ReadSecretFile(file[0] == '/' ? file : base_dir_ + "/" + file);
  }
  return NotFoundError("no passphrase file to confirm the share of custodian '").Append(custodian).Append("'");
}

std::optional<std::string> AnswersPrompter::Deviation(const std::string& step_id) {
  const v1::StepAnswer* a = StepAnswerFor(step_id);
  if (a == nullptr || a->deviation().empty()) return std::nullopt;
  return a->deviation();
}

}  // namespace pki::ceremony
