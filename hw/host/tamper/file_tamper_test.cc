#include "hw/host/file_tamper.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace pki::hw::host {
namespace {

TEST(FileTamper, TripsWhenTheFileAppearsAndStaysTripped) {
  std::string path = ::testing::TempDir() + "a2_tamper_" + std::to_string(::getpid());
  ::unlink(path.c_str());
  FileTamper t(path);
  EXPECT_EQ(t.Poll(), TamperState::kClear);
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ::close(fd);
  EXPECT_EQ(t.Poll(), TamperState::kTriggered);
  ::unlink(path.c_str());
  EXPECT_EQ(t.Poll(), TamperState::kTriggered);
}

}  // namespace
}  // namespace pki::hw::host
