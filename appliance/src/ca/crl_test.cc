#include "ca/crl.h"

#include <gtest/gtest.h>

#include "ca/sign.h"
#include "ca/test_fixture.h"
#include "crypto/test_util.h"

namespace pki::appliance::ca {
namespace {

using testing::CaTest;
using testing::kDay;
using testing::kT0;
using testing::kYear;

class CrlTest : public CaTest {
 protected:
  CrlRequest Request() {
    CrlRequest r;
    r.crl_number = 42;
    r.this_update = kT0 + 10 * kDay;
    r.next_update = kT0 + 100 * kDay;
    r.revoked = entries_;
    return r;
  }
  StatusOr<size_t> Build(const CrlRequest& r) { return BuildCrlTbs(*root_, r, tbs_); }

  const uint8_t s1_[20] = {0x11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  const uint8_t s2_[3] = {0x7f, 0xff, 0x01};
  RevokedCertificate entries_[2] = {{s1_, kT0 + 5 * kDay, RevocationReason::kKeyCompromise},
                                    {s2_, kT0 + 6 * kDay, RevocationReason::kUnspecified}};
  std::array<uint8_t, 2048> tbs_{};
};

TEST_F(CrlTest, BuildsSignsAndIsDeterministic) {
  StatusOr<size_t> n = Build(Request());
  ASSERT_TRUE(n.ok()) << n.status().message();
  const std::string first = crypto::testing::ToHex(ByteSpan(tbs_.data(), *n));
  StatusOr<size_t> again = Build(Request());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(crypto::testing::ToHex(ByteSpan(tbs_.data(), *again)), first);
  // v2, crlNumber 42 (02 01 2a), onlyContainsCACerts (82 01 ff), reasonCode keyCompromise (0a 01 01).
  EXPECT_EQ(first.substr(0, 2), "30");
  EXPECT_NE(first.find("551d14" "0403" "02012a"), std::string::npos);
  EXPECT_NE(first.find("551d1c" "0101ff"), std::string::npos) << first;  // IDP is critical
  EXPECT_NE(first.find("8201ff"), std::string::npos);
  EXPECT_NE(first.find("551d15" "0403" "0a0101"), std::string::npos);
  // Unspecified is written as no reasonCode: only one reasonCode extension.
  EXPECT_EQ(first.find("551d15", first.find("551d15") + 1), std::string::npos);
  std::vector<uint8_t> crl(4096);
  StatusOr<size_t> c = SignCrl(*root_key_, *drbg_, ByteSpan(tbs_.data(), *n), crl);
  ASSERT_TRUE(c.ok()) << c.status().message();
  // A TBSCertList is not a TBSCertificate.
  EXPECT_EQ(SignCertificate(*root_key_, *drbg_, ByteSpan(tbs_.data(), *n), crl).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(CrlTest, RulesAreEnforcedWithTheRuleNamed) {
  auto refused = [&](const CrlRequest& r, std::string_view rule) {
    StatusOr<size_t> n = Build(r);
    ASSERT_FALSE(n.ok()) << rule;
    EXPECT_EQ(n.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(n.status().message().find(rule), std::string_view::npos) << n.status().message();
  };
  CrlRequest r = Request();
  r.next_update = r.this_update;
  refused(r, "nextUpdate must be after thisUpdate");
  r = Request();
  r.next_update = r.this_update + 367 * kDay;
  refused(r, "more than 12 months");
  r = Request();
  r.this_update = kT0 - kDay;
  refused(r, "inside the issuer's validity");
  r = Request();
  r.this_update = kT0 + 20 * kYear - 10 * kDay;
  r.next_update = kT0 + 20 * kYear + kDay;
  refused(r, "inside the issuer's validity");
  r = Request();
  r.distribution_point = "file:///etc/crl";
  refused(r, "distribution_point");

  const uint8_t lead_zero[2] = {0x00, 0x01};
  const uint8_t too_long[21] = {0x01};
  RevokedCertificate bad[2] = {entries_[0], entries_[0]};
  r = Request();
  r.revoked = bad;
  refused(r, "duplicate serial");
  bad[1] = {lead_zero, kT0, RevocationReason::kSuperseded};
  refused(r, "no leading zero");
  bad[1] = {too_long, kT0, RevocationReason::kSuperseded};
  refused(r, "1..20 bytes");
  bad[1] = {s2_, kT0 + 11 * kDay, RevocationReason::kSuperseded};
  refused(r, "revocationDate after thisUpdate");
  bad[1] = {s2_, kT0, static_cast<RevocationReason>(6)};  // certificateHold: never used by the root
  refused(r, "reason code");
}

TEST_F(CrlTest, EmptyCrlAndLargeCrlNumber) {
  CrlRequest r = Request();
  r.revoked = {};
  r.crl_number = UINT64_MAX;
  StatusOr<size_t> n = Build(r);
  ASSERT_TRUE(n.ok()) << n.status().message();
  const std::string hex = crypto::testing::ToHex(ByteSpan(tbs_.data(), *n));
  EXPECT_NE(hex.find("020900ffffffffffffffff"), std::string::npos);  // positive INTEGER
  std::vector<uint8_t> crl(4096);
  EXPECT_TRUE(SignCrl(*root_key_, *drbg_, ByteSpan(tbs_.data(), *n), crl).ok());
  std::array<uint8_t, 64> small{};
  EXPECT_EQ(BuildCrlTbs(*root_, r, small).status().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace pki::appliance::ca
