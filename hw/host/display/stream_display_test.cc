#include "hw/host/stream_display.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace pki::hw::host {
namespace {

TEST(StreamDisplay, AppendsScreensToTheFileAndCutsLongLines) {
  std::string path = ::testing::TempDir() + "a2_display_" + std::to_string(::getpid());
  ::unlink(path.c_str());
  {
    auto d = StreamDisplay::CreateForFile(path);
    ASSERT_TRUE(d.ok());
    std::string_view first[] = {"state: LOCKED"};
    ASSERT_TRUE((*d)->Show(first).ok());
    std::string long_line(100, 'x');
    std::string_view second[] = {"sha256:", long_line};
    ASSERT_TRUE((*d)->Show(second).ok());
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "=== screen ===\n| state: LOCKED\n=== screen ===\n| sha256:\n| " +
                          std::string(64, 'x') + "\n");
  ::unlink(path.c_str());
}

TEST(StreamDisplay, UnopenableFileIsUnavailable) {
  auto d = StreamDisplay::CreateForFile("/nonexistent-dir/x/display.txt");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pki::hw::host
