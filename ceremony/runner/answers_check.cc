#include "ceremony/runner/answers_check.h"

#include <google/protobuf/text_format.h>

#include <map>
#include <set>

#include "ceremony/v1/answers.pb.h"

namespace pki::ceremony {
namespace {

using google::protobuf::TextFormat;

std::string Line(const TextFormat::ParseInfoTree& tree, const char* field, int index) {
  const auto* f = v1::Answers::descriptor()->FindFieldByName(field);
  const auto loc = tree.GetLocation(f, index);
  return loc.line < 0 ? "answers" : "answers line " + std::to_string(loc.line + 1);
}

}  // namespace

Status CheckAnswersText(const std::string& text, const Script& script) {
  v1::Answers a;
  TextFormat::Parser parser;
  TextFormat::ParseInfoTree tree;
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(text, &a)) return InvalidArgumentError("answers file does not parse");
  const v1::Script& sc = script.proto();
  std::map<std::string, std::string> role;  // name -> role
  role[sc.roles().administrator()] = "administrator";
  for (const auto& c : sc.roles().custodians()) role[c] = "custodian";
  for (const auto& w : sc.roles().witnesses()) role[w] = "witness";
  std::set<std::string> steps;
  for (const auto& st : sc.steps()) steps.insert(st.id());

  std::set<std::string> present;
  for (int i = 0; i < a.present_size(); ++i) {
    if (role.count(a.present(i)) == 0) {
      return InvalidArgumentError(Line(tree, "present", i)).Append(": '").Append(a.present(i))
          .Append("' is not one of script ").Append(sc.name()).Append("'s people");
    }
    if (!present.insert(a.present(i)).second) {
      return InvalidArgumentError(Line(tree, "present", i)).Append(": '").Append(a.present(i)).Append("' is listed twice");
    }
  }
  std::map<std::string, const v1::CustodianAnswer*> custodian;
  for (int i = 0; i < a.custodians_size(); ++i) {
    const std::string& name = a.custodians(i).name();
    auto it = role.find(name);
    if (it == role.end()) {
      return InvalidArgumentError(Line(tree, "custodians", i)).Append(": custodian '").Append(name)
          .Append("' is not one of script ").Append(sc.name()).Append("'s people");
    }
    if (it->second != "custodian") {
      return InvalidArgumentError(Line(tree, "custodians", i)).Append(": '").Append(name)
          .Append("' answers as a custodian but is the script's ").Append(it->second);
    }
    if (!custodian.emplace(name, &a.custodians(i)).second) {
      return InvalidArgumentError(Line(tree, "custodians", i)).Append(": custodian '").Append(name).Append("' answered twice");
    }
  }
  for (int i = 0; i < a.steps_size(); ++i) {
    if (steps.count(a.steps(i).step_id()) == 0) {
      return InvalidArgumentError(Line(tree, "steps", i)).Append(": step '").Append(a.steps(i).step_id())
          .Append("' is not a step of script ").Append(sc.name());
    }
  }
  if (!a.abort_at_step().empty() && steps.count(a.abort_at_step()) == 0) {
    return InvalidArgumentError(Line(tree, "abort_at_step", -1)).Append(": abort_at_step '").Append(a.abort_at_step())
        .Append("' is not a step of script ").Append(sc.name());
  }
  // What the steps will ask each present custodian for.
  auto need = [&](const std::string& name, bool is_new, const std::string& step_id) -> Status {
    if (present.count(name) == 0) return OkStatus();
    auto it = custodian.find(name);
    const bool has = it != custodian.end() &&
                     !(is_new ? it->second->new_passphrase_file() : it->second->passphrase_file()).empty();
    if (has) return OkStatus();
    return InvalidArgumentError("answers: custodian '").Append(name).Append("' is present but has no ")
        .Append(is_new ? "new_passphrase_file" : "passphrase_file").Append(" (step ").Append(step_id)
        .Append(is_new ? " gives them a new share)" : " collects shares)");
  };
  for (const auto& st : sc.steps()) {
    if (st.has_collect_shares()) {
      for (const auto& c : sc.roles().custodians()) PKI_RETURN_IF_ERROR(need(c, false, st.id()));
    }
    if (st.has_init_root()) {
      for (const auto& c : sc.roles().custodians()) PKI_RETURN_IF_ERROR(need(c, true, st.id()));
    }
    if (st.has_change_custodians()) {
      for (const auto& c : st.change_custodians().new_custodians()) PKI_RETURN_IF_ERROR(need(c, true, st.id()));
    }
  }
  return OkStatus();
}

}  // namespace pki::ceremony
