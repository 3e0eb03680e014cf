#include "device/screen.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pki::appliance::device {
namespace {

std::vector<std::string> Lines(const Screen& s) {
  std::vector<std::string> out;
  for (std::string_view l : s.Lines()) out.emplace_back(l);
  return out;
}

TEST(Screen, WrapsTextAtSpacesAndNewlines) {
  Screen s(20);
  ASSERT_TRUE(s.AddText("sign intermediate CA for issuing-tls\nvalid 5 years").ok());
  EXPECT_EQ(Lines(s), (std::vector<std::string>{"sign intermediate CA", "for issuing-tls",
                                                "valid 5 years"}));
}

TEST(Screen, HardWrapsAWordLongerThanALine) {
  Screen s(16);
  ASSERT_TRUE(s.AddText("abcdefghijklmnopqrstuvwxyz").ok());
  EXPECT_EQ(Lines(s), (std::vector<std::string>{"abcdefghijklmnop", "qrstuvwxyz"}));
}

TEST(Screen, HexInGroupsOfEight) {
  Screen s(35);
  uint8_t d[32];
  for (int i = 0; i < 32; ++i) d[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(s.AddHex(d).ok());
  std::vector<std::string> l = Lines(s);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0], "00070e15 1c232a31 383f464d 545b6269");
  EXPECT_EQ(l[1], "70777e85 8c939aa1 a8afb6bd c4cbd2d9");
}

TEST(Screen, PgpWordsAndFullScreen) {
  Screen s(64);
  const uint8_t d[] = {0xE5, 0x82, 0x94, 0xF2};
  ASSERT_TRUE(s.AddPgpWords(d).ok());
  EXPECT_EQ(Lines(s), (std::vector<std::string>{"topmost Istanbul Pluto vagabond"}));
  for (size_t i = 1; i < Screen::kMaxLines; ++i) ASSERT_TRUE(s.AddText("x").ok());
  EXPECT_EQ(s.AddText("one too many").code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace pki::appliance::device
