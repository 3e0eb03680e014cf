// Answers files checked against the shipped scripts before anything runs:
// unknown people, people in the wrong role, unknown steps and missing
// passphrase files are refused naming the answers line.
#include "ceremony/runner/answers_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/file.h"
#include "tests/ceremony/test_fixtures.h"

namespace pki::ceremony {
namespace {

std::unique_ptr<Script> Load(const std::string& name) {
  auto text = ReadFile(std::string(CeremonySourceDir()) + "/ceremony/scripts/" + name + ".textproto");
  EXPECT_TRUE(text.ok());
  std::vector<Diagnostic> diags;
  auto script = Script::Parse(*text, &diags);
  EXPECT_TRUE(script.ok());
  return std::move(*script);
}

void ExpectRefused(const std::string& answers, const Script& script, const std::string& fragment) {
  Status s = CheckAnswersText(answers, script);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << fragment;
  EXPECT_NE(std::string(s.message()).find(fragment), std::string::npos) << s.message();
}

TEST(AnswersCheck, TheTeamsAnswersFitTheShippedScripts) {
  for (const char* name : {"root-init", "sign-intermediate", "issue-crl", "revoke-intermediate", "cross-sign",
                           "change-custodians", "decommission", "export-journal"}) {
    auto script = Load(name);
    EXPECT_TRUE(CheckAnswersText(kAllPresent, *script).ok()) << name << ": " << CheckAnswersText(kAllPresent, *script).message();
    if (std::string(name) != "root-init" && std::string(name) != "change-custodians") {
      EXPECT_TRUE(CheckAnswersText(kTwoCustodians, *script).ok()) << name;
    }
  }
}

TEST(AnswersCheck, WrongNamesRolesAndStepsAreNamedByLine) {
  auto script = Load("sign-intermediate");
  ExpectRefused("present: \"Avery Admin\"\npresent: \"Mallory\"\n", *script,
                "answers line 2: 'Mallory' is not one of script sign-intermediate's people");
  ExpectRefused("present: \"Avery Admin\"\n\ncustodians { name: \"Wanda Witness\" passphrase_file: \"w.pass\" }\n",
                *script, "answers line 3: 'Wanda Witness' answers as a custodian but is the script's witness");
  ExpectRefused("custodians { name: \"Carla Custodian\" passphrase_file: \"c\" }\n"
                "custodians { name: \"Carla Custodian\" passphrase_file: \"c\" }\n",
                *script, "answers line 2: custodian 'Carla Custodian' answered twice");
  ExpectRefused("custodians { name: \"Carla\" passphrase_file: \"c\" }\n", *script,
                "answers line 1: custodian 'Carla' is not one of script sign-intermediate's people");
  ExpectRefused("present: \"Avery Admin\"\nsteps { step_id: \"sign-exec\" confirm: false }\n", *script,
                "answers line 2: step 'sign-exec' is not a step of script sign-intermediate");
  ExpectRefused("\n\nabort_at_step: \"nope\"\n", *script, "answers line 3: abort_at_step 'nope'");
  ExpectRefused("present: \"Avery Admin\" present: \"Avery Admin\"\n", *script, "is listed twice");
}

TEST(AnswersCheck, MissingPassphraseFilesAreNamed) {
  auto script = Load("issue-crl");
  ExpectRefused("present: \"Avery Admin\" present: \"Carla Custodian\" present: \"Wanda Witness\"\n", *script,
                "custodian 'Carla Custodian' is present but has no passphrase_file (step crl-shares collects shares)");
  // root-init gives every custodian a new share: each needs a new passphrase.
  auto init = Load("root-init");
  ExpectRefused(kTwoCustodians, *init, "has no new_passphrase_file (step init gives them a new share)");
}

}  // namespace
}  // namespace pki::ceremony
