#include "ceremony/schema/script.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include <dirent.h>

#include <string>
#include <vector>

#include "common/file.h"

namespace pki::ceremony {
namespace {

// PKI_SOURCE_DIR from CTest, else the source folder compiled in (the
// shared helper passes only the first of its ENVIRONMENT entries).
const char* CeremonySourceDir() {
  const char* s = std::getenv("PKI_SOURCE_DIR");
  return s != nullptr ? s : PKI_CEREMONY_SOURCE_DIR;
}

// A valid script; tests break one thing at a time. Line numbers matter:
// line 1 is `name:`.
constexpr char kValid[] = R"pb(name: "t"
purpose: "test"
roles {
  administrator: "Ann"
  custodians: "Cid"
  custodians: "Dee"
  custodians: "Eve"
  witnesses: "Wes"
}
quorum { threshold: 2 total: 3 }
steps { id: "attendance" check_attendance {} }
steps { id: "appliance" verify_appliance {} }
steps {
  id: "crl"
  issue_crl { next_update_days: 30 crl_out: "out/root.crl" }
}
steps { id: "fp" confirmed_by: "Wes" confirm_fingerprint { operation: "crl" } }
steps { id: "shares" collect_shares { operation: "crl" share_dir: "shares" } }
steps { id: "go" confirmed_by: "Ann" execute { operation: "crl" } }
)pb";

std::vector<Diagnostic> Problems(const std::string& text) {
  std::vector<Diagnostic> diags;
  auto script = Script::Parse(text, &diags);
  EXPECT_EQ(script.ok(), diags.empty());
  if (!script.ok()) {
    EXPECT_EQ(script.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(script.status().message(), diags.front().ToString().substr(0, Status::kMaxMessage));
  }
  return diags;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return text.replace(pos, from.size(), to);
}

// ExpectProblem asserts a diagnostic at |line| whose message contains |what|.
void ExpectProblem(const std::string& text, int line, const std::string& what) {
  const auto diags = Problems(text);
  std::string all;
  for (const auto& d : diags) {
    all += d.ToString() + "\n";
    if (d.line == line && d.message.find(what) != std::string::npos) return;
  }
  ADD_FAILURE() << "no problem at line " << line << " containing '" << what << "'; got:\n" << all;
}

TEST(ScriptTest, ValidScriptParses) {
  std::vector<Diagnostic> diags;
  auto script = Script::Parse(kValid, &diags);
  ASSERT_TRUE(script.ok()) << script.status().message();
  EXPECT_EQ((*script)->proto().steps_size(), 6);
  EXPECT_EQ((*script)->StepLine(2), 13);
  EXPECT_EQ((*script)->CustodianIndex("Dee"), 2u);
  EXPECT_EQ((*script)->RoleOf("Wes"), "witness");
  EXPECT_EQ((*script)->sha256().size(), 32u);
}

TEST(ScriptTest, ParseErrorNamesLineAndColumn) {
  const auto diags = Problems(Replace(kValid, "threshold: 2", "threshold: two"));
  ASSERT_FALSE(diags.empty());
  EXPECT_EQ(diags[0].line, 10);
  EXPECT_GT(diags[0].column, 1);
  EXPECT_NE(diags[0].message.find("two"), std::string::npos) << diags[0].message;
}

TEST(ScriptTest, UnknownFieldIsAParseError) {
  ExpectProblem(Replace(kValid, "next_update_days: 30", "next_update_days: 30 slot: 3"), 15, "slot");
}

TEST(ScriptTest, UnknownPersonInStep) {
  ExpectProblem(Replace(kValid, "confirmed_by: \"Wes\"", "confirmed_by: \"Mallory\""), 17,
                "'Mallory' is not named in roles");
}

TEST(ScriptTest, QuorumLargerThanCustodians) {
  ExpectProblem(Replace(kValid, "threshold: 2", "threshold: 4"), 10, "M=4 is greater than N=3");
}

TEST(ScriptTest, QuorumTotalMismatch) {
  ExpectProblem(Replace(kValid, "total: 3", "total: 5"), 10, "roles name 3 custodians");
}

TEST(ScriptTest, MissingOperationParameter) {
  ExpectProblem(Replace(kValid, " crl_out: \"out/root.crl\"", ""), 15, "issue_crl needs crl_out");
}

TEST(ScriptTest, DuplicateNames) {
  ExpectProblem(Replace(kValid, "witnesses: \"Wes\"", "witnesses: \"Dee\""), 8,
                "duplicate name 'Dee' (already a custodian)");
  ExpectProblem(Replace(kValid, "id: \"fp\"", "id: \"crl\""), 17, "duplicate step id 'crl'");
}

TEST(ScriptTest, SharesBeforeAttendance) {
  std::string text = Replace(kValid, "steps { id: \"attendance\" check_attendance {} }\n", "");
  text = Replace(text, "steps { id: \"go\"", "steps { id: \"attendance\" check_attendance {} }\nsteps { id: \"go\"");
  ExpectProblem(text, 17, "collect_shares before check_attendance");
}

TEST(ScriptTest, ExecuteWithoutSharesOrFingerprint) {
  std::string text = Replace(kValid, "steps { id: \"shares\" collect_shares { operation: \"crl\" share_dir: \"shares\" } }\n", "");
  ExpectProblem(text, 18, "executed before collect_shares");
  text = Replace(kValid, "steps { id: \"fp\" confirmed_by: \"Wes\" confirm_fingerprint { operation: \"crl\" } }\n", "");
  ExpectProblem(text, 17, "before its fingerprint is confirmed");
}

TEST(ScriptTest, OperationNeverExecuted) {
  ExpectProblem(Replace(kValid, "steps { id: \"go\" confirmed_by: \"Ann\" execute { operation: \"crl\" } }\n", ""),
                13, "begun but never executed");
}

TEST(ScriptTest, ReferenceToUnknownOrLaterStep) {
  ExpectProblem(Replace(kValid, "confirm_fingerprint { operation: \"crl\" }", "confirm_fingerprint { operation: \"later\" }"),
                17, "'later' is not an earlier step");
}

TEST(ScriptTest, UnknownLintException) {
  std::string text = Replace(kValid, "quorum {", "lint_exceptions { name: \"no-such-check\" reason: \"x\" }\nquorum {");
  ExpectProblem(text, 10, "unknown lint exception 'no-such-check'");
}

TEST(ScriptTest, AbsentCustodiansBreakQuorum) {
  ExpectProblem(Replace(kValid, "check_attendance {}", "check_attendance { may_be_absent: \"Cid\" may_be_absent: \"Dee\" }"),
                11, "cannot be reached");
}

TEST(ScriptTest, EveryProblemIsReportedInLineOrder) {
  std::string text = Replace(kValid, "threshold: 2", "threshold: 4");
  text = Replace(text, "confirmed_by: \"Ann\"", "confirmed_by: \"Zed\"");
  const auto diags = Problems(text);
  ASSERT_GE(diags.size(), 2u);
  for (size_t i = 1; i < diags.size(); ++i) EXPECT_LE(diags[i - 1].line, diags[i].line);
}

// Every script we ship validates.
TEST(ScriptTest, ShippedScriptsValidate) {
  const char* src = CeremonySourceDir();
  ASSERT_NE(src, nullptr);
  const std::string dir = std::string(src) + "/ceremony/scripts";
  DIR* d = opendir(dir.c_str());
  ASSERT_NE(d, nullptr);
  int count = 0;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() < 10 || name.substr(name.size() - 10) != ".textproto") continue;
    auto text = ReadFile(dir + "/" + name);
    ASSERT_TRUE(text.ok());
    std::vector<Diagnostic> diags;
    auto script = Script::Parse(*text, &diags);
    EXPECT_TRUE(script.ok()) << name << ": " << JoinDiagnostics(name, diags);
    ++count;
  }
  closedir(d);
  EXPECT_EQ(count, 8);
}

}  // namespace
}  // namespace pki::ceremony
