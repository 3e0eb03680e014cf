#include "audit/audit_log.h"

#include <sys/stat.h>

#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_test_util.h"
#include "audit/audit_verify.h"

namespace pki::signer {
namespace {

using ::testing::HasSubstr;
using testing::ReadLines;
using testing::SampleRecord;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    path_ = dir_ + "/audit.log";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<AuditLog> Open(uint64_t rotate = 1 << 20, AuditFaults* faults = nullptr) {
    auto log = AuditLog::Open({path_, rotate, faults});
    PKI_CHECK(log.ok());
    return std::move(log).value();
  }

  std::string dir_;
  std::string path_;
};

TEST_F(AuditLogTest, AppendsChainedLinesAndReturnsIds) {
  auto log = Open();
  for (int i = 1; i <= 5; ++i) {
    auto id = log->Append(SampleRecord(i));
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(*id, "1:" + std::to_string(i));
  }
  auto lines = ReadLines(path_);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_THAT(lines[0], HasSubstr("{\"prev\":\"" + std::string(64, '0') + "\",\"gen\":1,\"seq\":1,"));
  EXPECT_THAT(lines[2], HasSubstr("\"request_id\":\"req-3\""));
  EXPECT_THAT(lines[2], HasSubstr("\"outcome\":\"OK\""));
  EXPECT_THAT(lines[1], HasSubstr("\"prev\":\"" + HexOf(HashLine(lines[0])) + "\""));
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto report = VerifyAuditLog({path_});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, 5u);
  EXPECT_EQ(report->head_hash, log->HeadHash());
  EXPECT_EQ(report->head_hash, HexOf(HashLine(lines[4])));
}

TEST_F(AuditLogTest, ConcurrentAppendsAreGroupCommitted) {
  auto log = Open();
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> ids;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto id = log->Append(SampleRecord(t * 1000 + i));
        PKI_CHECK(id.ok());
        std::lock_guard<std::mutex> lock(mu);
        ids.insert(*id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kEach));
  auto report = VerifyAuditLog({path_});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, static_cast<uint64_t>(kThreads * kEach));
  EXPECT_LE(log->SyncCount(), static_cast<uint64_t>(kThreads * kEach));
  std::printf("group commit: %d records, %llu fdatasyncs\n", kThreads * kEach,
              static_cast<unsigned long long>(log->SyncCount()));
}

TEST_F(AuditLogTest, ReopenContinuesTheChain) {
  { auto log = Open(); ASSERT_TRUE(log->Append(SampleRecord(1)).ok()); ASSERT_TRUE(log->Append(SampleRecord(2)).ok()); }
  auto log = Open();
  EXPECT_EQ(log->LastSeq(), 2u);
  auto id = log->Append(SampleRecord(3));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "1:3");
  auto report = VerifyAuditLog({path_});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, 3u);
}

TEST_F(AuditLogTest, RotationKeepsTheChainAcrossFiles) {
  {
    auto log = Open(4096);
    for (int i = 1; i <= 60; ++i) ASSERT_TRUE(log->Append(SampleRecord(i)).ok());
    EXPECT_GT(log->Generation(), 2u);
  }
  auto files = ListAuditFiles(path_);
  ASSERT_GT(files.size(), 2u);
  EXPECT_EQ(files.back(), path_);
  EXPECT_EQ(files.front(), path_ + ".000001");
  auto report = VerifyAuditLog(files);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, 60u);
  // The new file's first record links to the last record of the old one.
  auto old_lines = ReadLines(files[0]);
  auto new_lines = ReadLines(files[1]);
  EXPECT_THAT(new_lines[0], HasSubstr("\"prev\":\"" + HexOf(HashLine(old_lines.back())) + "\""));
  EXPECT_THAT(new_lines[0], HasSubstr("\"gen\":2,"));
  // Reopening after rotations continues with the newest generation.
  auto log = Open(4096);
  auto id = log->Append(SampleRecord(61));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, std::to_string(files.size()) + ":61");
  ASSERT_TRUE(VerifyAuditLog(ListAuditFiles(path_)).ok());
}

TEST_F(AuditLogTest, CrashBetweenRotationAndNewFileRecovers) {
  {
    auto log = Open();
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(log->Append(SampleRecord(i)).ok());
  }
  // Simulate the crash: the active file was renamed, the new one never made.
  ASSERT_EQ(::rename(path_.c_str(), (path_ + ".000001").c_str()), 0);
  auto log = Open();
  auto id = log->Append(SampleRecord(4));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "2:4");
  auto report = VerifyAuditLog(ListAuditFiles(path_));
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, 4u);
}

TEST_F(AuditLogTest, TornTailIsCutOffOnOpen) {
  { auto log = Open(); for (int i = 1; i <= 3; ++i) ASSERT_TRUE(log->Append(SampleRecord(i)).ok()); }
  const std::string partial = "{\"prev\":\"abc";
  { std::ofstream(path_, std::ios::app) << partial; }
  auto before = VerifyAuditLog({path_});
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->torn_tail);
  EXPECT_EQ(before->torn_tail_at, path_ + ":4");
  auto log = Open();
  EXPECT_EQ(log->RecoveredTornBytes(), partial.size());
  ASSERT_TRUE(log->Append(SampleRecord(4)).ok());
  auto after = VerifyAuditLog({path_});
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_FALSE(after->torn_tail);
  EXPECT_EQ(after->records, 4u);
}

class FailingSync final : public AuditFaults {
 public:
  Status BeforeSync() override { return fail ? InternalError("injected fsync failure") : OkStatus(); }
  bool fail = false;
};

TEST_F(AuditLogTest, AFailedSyncWithholdsTheResultAndEveryLaterOne) {
  FailingSync faults;
  auto log = Open(1 << 20, &faults);
  ASSERT_TRUE(log->Append(SampleRecord(1)).ok());
  faults.fail = true;
  auto r = log->Append(SampleRecord(2));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  faults.fail = false;
  EXPECT_EQ(log->Append(SampleRecord(3)).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(log->LastSeq(), 1u);
}

TEST_F(AuditLogTest, HostileFieldsStayOnOneLine) {
  auto log = Open();
  AuditRecord r = SampleRecord(1);
  r.request_id = "evil\"}\n{\"prev\":\"x\\\x01\xff";
  ASSERT_TRUE(log->Append(r).ok());
  ASSERT_TRUE(log->Append(SampleRecord(2)).ok());
  auto lines = ReadLines(path_);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr(R"("request_id":"evil\"}\u000a{\"prev\":\"x\\\u0001\u00ff")"));
  EXPECT_TRUE(VerifyAuditLog({path_}).ok());
}

}  // namespace
}  // namespace pki::signer
