#include "common/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace pki {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pki-file-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileTest, WriteAtomicSetsModeAndContent) {
  std::string path = dir_ + "/state.bin";
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes("hello"), 0600).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = ReadFile(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "hello");
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes("second"), 0600).ok());
  EXPECT_EQ(*ReadFile(path), "second");
  // No temporary file is left behind.
  size_t entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_)) { (void)e; ++entries; }
  EXPECT_EQ(entries, 1u);
}

TEST_F(FileTest, ReadMissingFileIsNotFoundNamingThePath) {
  auto r = ReadFile(dir_ + "/nope");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("nope"), std::string_view::npos);
}

TEST_F(FileTest, ReadFileRefusesOversizedFiles) {
  std::string path = dir_ + "/big";
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes(std::string(100, 'a'))).ok());
  EXPECT_EQ(ReadFile(path, 10).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FileTest, SecretFileMustBePrivateAndDropsNewline) {
  std::string path = dir_ + "/pin";
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes("1234\n"), 0644).ok());
  auto loose = ReadSecretFile(path);
  EXPECT_EQ(loose.status().code(), StatusCode::kPermissionDenied);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  auto pin = ReadSecretFile(path);
  ASSERT_TRUE(pin.ok());
  EXPECT_EQ(pin->ViewChars(SecretAccess::Grant()), "1234");
}

TEST_F(FileTest, MakePrivateDirTightensMode) {
  std::string path = dir_ + "/a/b";
  ASSERT_TRUE(MakePrivateDir(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
  ASSERT_TRUE(MakePrivateDir(path).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

}  // namespace
}  // namespace pki
