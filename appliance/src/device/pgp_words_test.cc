#include "device/pgp_words.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pki::appliance::device {
namespace {

TEST(PgpWords, MatchesThePublishedExample) {
  // The worked example that accompanies the PGP word list.
  const uint8_t data[] = {0xE5, 0x82, 0x94, 0xF2, 0xE9, 0xA2, 0x27, 0x48, 0x6E, 0x8B,
                          0x06, 0x1B, 0x31, 0xCC, 0x52, 0x8F, 0xD7, 0xFA, 0x3F, 0x19};
  char out[400];
  StatusOr<size_t> n = PgpWords(out, data);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(out, *n),
            "topmost Istanbul Pluto vagabond treadmill Pacific brackish dictator goldfish "
            "Medusa afflict bravado chatter revolver Dupont midsummer stopwatch whimsical "
            "cowbell bottomless");
  EXPECT_STREQ(PgpWord(0x00, 0), "aardvark");
  EXPECT_STREQ(PgpWord(0xFF, 1), "Yucatan");
}

TEST(PgpWords, AllFiveHundredTwelveWordsDistinctAndShort) {
  std::set<std::string> seen;
  for (int pos = 0; pos < 2; ++pos) {
    for (int b = 0; b < 256; ++b) {
      std::string w = PgpWord(static_cast<uint8_t>(b), static_cast<size_t>(pos));
      EXPECT_LE(w.size(), kMaxPgpWordLength);
      seen.insert(w);
    }
  }
  EXPECT_EQ(seen.size(), 512u);
}

TEST(PgpWords, TooSmallBufferIsOutOfRange) {
  const uint8_t data[] = {0, 1, 2, 3};
  char out[10];
  EXPECT_EQ(PgpWords(out, data).status().code(), StatusCode::kOutOfRange);
  char exact[sizeof("aardvark adroitness") ];
  const uint8_t two[] = {0, 0};
  ASSERT_TRUE(PgpWords(exact, two).ok());
}

}  // namespace
}  // namespace pki::appliance::device
