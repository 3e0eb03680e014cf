// Unit tests for profiles: defaults are valid, validation, canonical hash.
#include <gtest/gtest.h>

#include "signer/issuance.h"

namespace pki::signer {
namespace {

TEST(ProfileTest, DefaultsValidateAndHashDiffer) {
  std::vector<Profile> all = DefaultProfiles("int-ec");
  ASSERT_EQ(all.size(), 4u);
  std::vector<std::string> hashes;
  for (const Profile& p : all) {
    EXPECT_TRUE(ValidateProfile(p).ok()) << p.name;
    hashes.push_back(ProfileHashHex(p));
    EXPECT_EQ(hashes.back().size(), 64u);
  }
  std::sort(hashes.begin(), hashes.end());
  EXPECT_EQ(std::adjacent_find(hashes.begin(), hashes.end()), hashes.end());
}

TEST(ProfileTest, HashIsCanonical) {
  Profile a = TlsServerProfile("int");
  a.ext_key_usage = {kEkuServerAuth, kEkuClientAuth};
  Profile b = a;
  b.ext_key_usage = {kEkuClientAuth, kEkuServerAuth};  // order does not matter
  EXPECT_EQ(ProfileHashHex(a), ProfileHashHex(b));
  b.max_validity = std::chrono::hours(24);
  EXPECT_NE(ProfileHashHex(a), ProfileHashHex(b));
  Profile c = a;
  c.issuing_key = "other";
  EXPECT_NE(ProfileHashHex(a), ProfileHashHex(c));
  EXPECT_NE(CanonicalProfile(a).find("issuing_key=int\n"), std::string::npos);
}

TEST(ProfileTest, ValidationNamesTheField) {
  Profile p = TlsServerProfile("int");
  p.max_validity = std::chrono::hours(24 * 400);
  Status s = ValidateProfile(p);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("max_validity"), std::string_view::npos);
  p = TlsServerProfile("int");
  p.rsa_min_bits = 1024;
  EXPECT_NE(ValidateProfile(p).message().find("rsa_min_bits"), std::string_view::npos);
  p = TlsServerProfile("int");
  p.ext_key_usage = {"1.2..3"};
  EXPECT_NE(ValidateProfile(p).message().find("OID"), std::string_view::npos);
  p = TlsServerProfile("");
  EXPECT_NE(ValidateProfile(p).message().find("issuing_key"), std::string_view::npos);
  p = TlsServerProfile("int");
  p.name = "bad\nname";
  EXPECT_EQ(ValidateProfile(p).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::signer
