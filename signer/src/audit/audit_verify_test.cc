#include "audit/audit_verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_test_util.h"

namespace pki::signer {
namespace {

using ::testing::HasSubstr;
using testing::ReadLines;
using testing::SampleRecord;
using testing::WriteLines;

class AuditVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    path_ = dir_ + "/audit.log";
    auto log = AuditLog::Open({path_, 2048, nullptr});
    PKI_CHECK(log.ok());
    for (int i = 1; i <= 20; ++i) PKI_CHECK((*log)->Append(SampleRecord(i)).ok());
    files_ = ListAuditFiles(path_);
    PKI_CHECK(files_.size() >= 3);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Message() {
    auto r = VerifyAuditLog(files_);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    return std::string(r.status().message());
  }

  std::string dir_;
  std::string path_;
  std::vector<std::string> files_;
};

TEST_F(AuditVerifyTest, IntactLogVerifies) {
  auto r = VerifyAuditLog(files_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 20u);
  EXPECT_EQ(r->first_seq, 1u);
  EXPECT_EQ(r->last_seq, 20u);
  EXPECT_FALSE(r->torn_tail);
}

// An empty log's head is where the chain starts (64 zeros): the anchor a
// signerd that signed nothing prints at shutdown must verify.
TEST(AuditVerifyEmptyTest, EmptyLogHeadIsTheChainStartThatSignerdReports) {
  const std::string dir = testing::MakeTempDir();
  const std::string path = dir + "/audit.log";
  std::string anchor;
  {
    auto log = AuditLog::Open({path, 2048, nullptr});
    ASSERT_TRUE(log.ok());
    anchor = (*log)->HeadHash();
  }
  auto r = VerifyAuditLog(ListAuditFiles(path));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 0u);
  EXPECT_EQ(r->last_seq, 0u);
  EXPECT_EQ(r->head_hash, std::string(64, '0'));
  EXPECT_EQ(r->head_hash, anchor);
  std::filesystem::remove_all(dir);
}

TEST_F(AuditVerifyTest, EditedRecordIsDetectedAtTheNextLine) {
  auto lines = ReadLines(files_[0]);
  ASSERT_GE(lines.size(), 3u);
  const size_t at = lines[1].find("\"outcome\":\"OK\"");
  lines[1].replace(at, 14, "\"outcome\":\"NO\"");
  WriteLines(files_[0], lines);
  EXPECT_THAT(Message(), HasSubstr("audit.log.000001:3: hash chain broken"));
}

TEST_F(AuditVerifyTest, ReorderedRecordsAreDetected) {
  auto lines = ReadLines(files_[1]);
  std::swap(lines[0], lines[1]);
  WriteLines(files_[1], lines);
  EXPECT_THAT(Message(), HasSubstr("audit.log.000002:1: sequence jumps"));
}

TEST_F(AuditVerifyTest, InsertedRecordIsDetected) {
  auto lines = ReadLines(files_[0]);
  lines.insert(lines.begin() + 2, lines[1]);
  WriteLines(files_[0], lines);
  EXPECT_THAT(Message(), HasSubstr("audit.log.000001:3: sequence jumps from 2 to 2"));
}

TEST_F(AuditVerifyTest, RemovedRecordIsDetected) {
  auto lines = ReadLines(files_[0]);
  lines.erase(lines.begin() + 1);
  WriteLines(files_[0], lines);
  EXPECT_THAT(Message(), HasSubstr("audit.log.000001:2: sequence jumps from 1 to 3"));
}

TEST_F(AuditVerifyTest, ForgedRecordWithRenumberingBreaksTheHash) {
  // Replace record 2 with an edited copy keeping its number and prev field:
  // only the hash of the chain can tell.
  auto lines = ReadLines(files_[0]);
  const size_t at = lines[1].find("req-2");
  lines[1].replace(at, 5, "req-X");
  WriteLines(files_[0], lines);
  EXPECT_THAT(Message(), HasSubstr("audit.log.000001:3: hash chain broken"));
}

TEST_F(AuditVerifyTest, TruncatedFilesAreDetected) {
  // A whole rotated file missing from the middle.
  std::vector<std::string> missing = files_;
  missing.erase(missing.begin() + 1);
  auto r = VerifyAuditLog(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("audit.log.000003:1: generation does not follow"));
  // Records cut off the end of a rotated file.
  auto lines = ReadLines(files_[0]);
  lines.pop_back();
  WriteLines(files_[0], lines);
  EXPECT_THAT(Message(), HasSubstr("audit.log.000002:1: sequence jumps"));
}

TEST_F(AuditVerifyTest, CutInsideARotatedFileIsCorruption) {
  auto lines = ReadLines(files_[0]);
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  text.resize(text.size() - 10);
  std::ofstream(files_[0], std::ios::trunc) << text;
  EXPECT_THAT(Message(), HasSubstr("audit.log.000001:"));
}

TEST_F(AuditVerifyTest, TornTailOfTheLastFileIsReportedAsSuch) {
  auto lines = ReadLines(path_);
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  text.resize(text.size() - 25);  // cut the last record mid-way
  std::ofstream(path_, std::ios::trunc) << text;
  auto r = VerifyAuditLog(files_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->torn_tail);
  EXPECT_EQ(r->torn_tail_at, path_ + ":" + std::to_string(lines.size()));
  EXPECT_EQ(r->last_seq, 19u);
}

TEST_F(AuditVerifyTest, GarbageAndFirstRecordChecks) {
  auto lines = ReadLines(files_[0]);
  lines[0].replace(9, 4, "ffff");  // first record must link to zeros
  WriteLines(files_[0], lines);
  EXPECT_THAT(Message(), HasSubstr("audit.log.000001:1: first record does not start the chain"));
  lines[0] = "not json";
  WriteLines(files_[0], lines);
  EXPECT_THAT(Message(), HasSubstr("audit.log.000001:1: not an audit record"));
  EXPECT_EQ(VerifyAuditLog({dir_ + "/nope"}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace pki::signer
