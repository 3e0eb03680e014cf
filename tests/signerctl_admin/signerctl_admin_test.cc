// signerctl config check / audit verify, run as the operator runs them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/file.h"
#include "shell.h"

namespace {

using pki::testing::CommandResult;
using pki::testing::RunSignerctl;

class SignerctlAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pki-signerctl-admin-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto seed = pki::ReadFile(std::string(std::getenv("PKI_SOURCE_DIR")) +
                              "/tests/fuzz/corpus/audit_log/three_records.log");
    ASSERT_TRUE(seed.ok());
    log_ = *seed;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(pki::WriteFileAtomic(path, pki::AsBytes(text)).ok());
    return path;
  }
  std::string dir_;
  std::string log_;  // a real three-record log written by AuditLog
};

TEST_F(SignerctlAdminTest, AuditVerifyAcceptsAnIntactLogAndItsAnchor) {
  std::string path = Write("audit.log", log_);
  CommandResult r = RunSignerctl("audit verify --log " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("records 1..3"), std::string::npos) << r.output;
  CommandResult anchored = RunSignerctl("audit verify --log " + path + " --expect-seq 3");
  EXPECT_EQ(anchored.exit_code, 0) << anchored.output;
}

TEST_F(SignerctlAdminTest, AuditVerifyNamesTheLineOfAnEditedRecord) {
  std::string edited = log_;
  size_t at = edited.find("req-1");
  ASSERT_NE(at, std::string::npos);
  edited[at + 4] = '9';
  CommandResult r = RunSignerctl("audit verify --log " + Write("audit.log", edited));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("DATA_LOSS"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("audit.log:3"), std::string::npos) << r.output;
}

TEST_F(SignerctlAdminTest, AuditVerifyDetectsARecordCutOffTheEndAgainstTheAnchor) {
  std::string cut = log_.substr(0, log_.rfind('\n', log_.size() - 2) + 1);  // drop the last line
  std::string path = Write("audit.log", cut);
  EXPECT_EQ(RunSignerctl("audit verify --log " + path).exit_code, 0);  // the chain alone can't tell
  CommandResult r = RunSignerctl("audit verify --log " + path + " --expect-seq 3");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("ends at seq 2"), std::string::npos) << r.output;
}

TEST_F(SignerctlAdminTest, ConfigCheckNamesEveryBadField) {
  std::string path = Write("signerd.yaml", "server: {listen: nonsense}\nbogus: 1\n");
  CommandResult r = RunSignerctl("config check --config " + path);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("bogus: unknown field"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("server.listen"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("keys: required"), std::string::npos) << r.output;
}

TEST_F(SignerctlAdminTest, MissingLogIsNotFound) {
  CommandResult r = RunSignerctl("audit verify --log " + dir_ + "/nothing.log");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("NOT_FOUND"), std::string::npos) << r.output;
}

}  // namespace
