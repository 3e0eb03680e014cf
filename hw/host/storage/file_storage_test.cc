#include "hw/host/file_storage.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace pki::hw {
namespace {

class FileStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pki_storage_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/store";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string ReadString(Storage& s, uint32_t key) {
    std::array<uint8_t, 4096> buf{};
    auto got = s.Read(key, buf);
    if (!got.ok()) return std::string("<") + StatusCodeName(got.status().code()) + ">";
    return std::string(reinterpret_cast<const char*>(buf.data()), *got);
  }

  std::string root_;
  std::string dir_;
};

TEST_F(FileStorageTest, PersistsAcrossReopenWithPrivateModes) {
  {
    auto s = CreateFileStorage(dir_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_EQ(ReadString(**s, 7), "<NOT_FOUND>");
    ASSERT_TRUE((*s)->Write(7, AsBytes("first")).ok());
    ASSERT_TRUE((*s)->Write(7, AsBytes("second")).ok());
  }
  struct stat st;
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
    ++files;
  }
  EXPECT_EQ(files, 2);  // two slots
  auto s = CreateFileStorage(dir_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ReadString(**s, 7), "second");
  ASSERT_TRUE((*s)->Erase(7).ok());
  EXPECT_EQ(ReadString(**s, 7), "<NOT_FOUND>");
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(FileStorageTest, TornNewestSlotFileReadsOldValue) {
  auto s = CreateFileStorage(dir_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Write(9, AsBytes("old value")).ok());  // slot 0
  ASSERT_TRUE((*s)->Write(9, AsBytes("new value")).ok());  // slot 1
  const std::string slot1 = dir_ + "/k00000009.1";
  for (uintmax_t len : {uintmax_t{30}, uintmax_t{10}, uintmax_t{0}}) {
    std::filesystem::resize_file(slot1, len);
    EXPECT_EQ(ReadString(**s, 9), "old value") << len;
  }
  // The next write goes to the broken slot and wins.
  ASSERT_TRUE((*s)->Write(9, AsBytes("newer")).ok());
  EXPECT_EQ(ReadString(**s, 9), "newer");
  // Both broken: DATA_LOSS, not a stale or empty value.
  std::filesystem::resize_file(dir_ + "/k00000009.0", 5);
  std::filesystem::resize_file(slot1, 5);
  EXPECT_EQ(ReadString(**s, 9), "<DATA_LOSS>");
}

TEST_F(FileStorageTest, RefusesDirectoryOpenToOthers) {
  ASSERT_EQ(::mkdir(dir_.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  auto s = CreateFileStorage(dir_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.status().message().find(dir_), std::string_view::npos);
}

TEST_F(FileStorageTest, RefusesAFileAndAMissingParent) {
  std::ofstream(root_ + "/plain") << "x";
  EXPECT_FALSE(CreateFileStorage(root_ + "/plain").ok());
  auto s = CreateFileStorage(root_ + "/no/such/parent");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
}

TEST_F(FileStorageTest, OversizedRecordRefused) {
  auto s = CreateFileStorage(dir_, 16);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->Write(1, AsBytes("0123456789abcdefX")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadString(**s, 1), "<NOT_FOUND>");
}

// Read goes through one slot image at a time and copies the newest intact
// copy into the caller's buffer as it scans: whichever slot holds the newest
// copy, and however long the older one is, the caller gets the newest value,
// and nothing of the older copy beyond it.
TEST_F(FileStorageTest, ReadReturnsTheNewestSlotAndNoneOfTheOlder) {
  auto s = CreateFileStorage(dir_, 64);
  ASSERT_TRUE(s.ok());
  const std::string values[] = {std::string(60, 'a'), "bb", std::string(50, 'c'), "d"};
  for (const std::string& v : values) {  // newest copy alternates slot 0, 1, 0, 1
    ASSERT_TRUE((*s)->Write(9, AsBytes(v)).ok());
    std::array<uint8_t, 64> buf;
    buf.fill(0xEE);
    auto got = (*s)->Read(9, buf);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), *got), v);
    for (size_t i = *got; i < buf.size(); ++i) {
      ASSERT_TRUE(buf[i] == 0xEE || buf[i] == 0) << "older copy left at " << i << " after " << v;
    }
  }
  // Slot 0 gets a short value, then slot 1 a newer one too long for a
  // 10-byte buffer: the scan copies the older value first (it fits), then
  // OUT_OF_RANGE for the newest must leave none of the older copy behind.
  ASSERT_TRUE((*s)->Write(9, AsBytes("x")).ok());                   // slot 0
  ASSERT_TRUE((*s)->Write(9, AsBytes(std::string(40, 'e'))).ok());  // slot 1, newest
  std::array<uint8_t, 10> small;
  small.fill(0xEE);
  EXPECT_EQ((*s)->Read(9, small).status().code(), StatusCode::kOutOfRange);
  for (uint8_t b : small) EXPECT_TRUE(b == 0xEE || b == 0);
  EXPECT_EQ(ReadString(**s, 9), std::string(40, 'e'));
}

}  // namespace
}  // namespace pki::hw
