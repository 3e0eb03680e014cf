#include "ceremony/fingerprint/pgp_words.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "base/hex.h"

namespace pki::ceremony {
namespace {

std::string Bytes(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The example published with the list (Wikipedia, "PGP word list").
TEST(PgpWordsTest, PublishedExample) {
  const std::string data = Bytes("e58294f2e9a227486e8b061b31cc528fd7fa3f19");
  EXPECT_EQ(PgpWords(AsBytes(data)),
            "topmost Istanbul Pluto vagabond treadmill Pacific brackish dictator goldfish "
            "Medusa afflict bravado chatter revolver Dupont midsummer stopwatch whimsical "
            "cowbell bottomless");
}

TEST(PgpWordsTest, SecondVectorAndEnds) {
  const std::string data = Bytes("d1d464c004f00fb5c9a4c8d8e433e7fb7ff56256");
  EXPECT_EQ(PgpWords(AsBytes(data)),
            "stairway souvenir flytrap recipe adrift upcoming artist positive spearhead "
            "Pandora spaniel stupendous tonic concurrent transit Wichita lockup visitor "
            "flagpole escapade");
  EXPECT_EQ(PgpEvenWord(0x00), "aardvark");
  EXPECT_EQ(PgpOddWord(0x00), "adroitness");
  EXPECT_EQ(PgpEvenWord(0xff), "Zulu");
  EXPECT_EQ(PgpOddWord(0xff), "Yucatan");
  EXPECT_EQ(PgpWords(ByteSpan()), "");
}

TEST(PgpWordsTest, ListsHave512DistinctWords) {
  std::set<std::string> all;
  for (int b = 0; b < 256; ++b) {
    all.insert(std::string(PgpEvenWord(static_cast<uint8_t>(b))));
    all.insert(std::string(PgpOddWord(static_cast<uint8_t>(b))));
  }
  EXPECT_EQ(all.size(), 512u);
}

TEST(PgpWordsTest, RoundTripEveryByteAtBothParities) {
  std::string data;
  for (int b = 0; b < 256; ++b) {
    data.push_back(static_cast<char>(b));
    data.push_back(static_cast<char>(255 - b));
  }
  auto back = PgpWordsToBytes(PgpWords(AsBytes(data)));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, data);
}

TEST(PgpWordsTest, ParseNamesBadWordAndParity) {
  auto unknown = PgpWordsToBytes("topmost banana");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("word 2 'banana' is not in"), std::string_view::npos)
      << unknown.status().message();
  // "Pluto" is an even word; at position 2 it means a word went missing.
  auto dropped = PgpWordsToBytes("topmost Pluto");
  ASSERT_FALSE(dropped.ok());
  EXPECT_NE(dropped.status().message().find("wrong list"), std::string_view::npos);
  auto ci = PgpWordsToBytes("TOPMOST istanbul");
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(*ci, Bytes("e582"));
}

}  // namespace
}  // namespace pki::ceremony
