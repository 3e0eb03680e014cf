// Frames lost or corrupted on the way to the appliance during a ceremony:
// the appliance never acts on them (a corrupted frame gets an id-0
// BAD_FRAME answer the host sets aside), and the host resends the same
// request after 2 s (LinkClient::Call), so the ceremony completes in seconds
// instead of stopping after the 120 s call timeout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "link_fault_fixture.h"

namespace pki::testing {
namespace {

using ::testing::HasSubstr;

// Execute corrupted on the way (the appliance never acts on it): the host
// resends the same Execute, the appliance acts on it once, the ceremony
// completes with verified outputs, and nothing is left open.
TEST_F(LinkFaultCeremonyTest, CorruptedExecuteIsResentAndTheCeremonyCompletes) {
  StartProxy(8101);
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, 0) << log;

  // A clean run first: how many journal records one sign-intermediate adds.
  const auto s0 = Status();
  StartProxy(8102);
  log = Run("sign-intermediate", "two.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  const auto before = Status();
  const uint64_t clean_records = before.journal_sequence() - s0.journal_sequence();

  StartProxy(8103).AddRule({Direction::kToAppliance, "execute", 1, Fault::kCorrupt});
  const auto t0 = std::chrono::steady_clock::now();
  log = Run("sign-intermediate", "two.answers", &rc);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(rc, 0) << log;
  EXPECT_LT(took, std::chrono::seconds(60)) << "the lost Execute cost the whole call timeout";
  ExpectVerifiedOutputs();
  ExpectNothingHalfDone(appliance::v1::LOCKED);
  EXPECT_EQ(Status().journal_sequence(), before.journal_sequence() + clean_records)
      << "the resent Execute was acted on twice";
}

// The second share's answer dropped on the way back: the resend of the same
// SubmitShare gets the cached answer (the share is not counted twice, no
// failed attempt), and the ceremony completes.
TEST_F(LinkFaultCeremonyTest, DroppedShareAnswerIsRecoveredByResending) {
  StartProxy(8105);
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  StartProxy(8106).AddRule({Direction::kToHost, "submit_share", 2, Fault::kDrop});
  log = Run("sign-intermediate", "two.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  ExpectVerifiedOutputs();
  ExpectNothingHalfDone(appliance::v1::LOCKED);
  EXPECT_EQ(Status().failed_attempts(), 0u);
}

// CancelSplit (wiping a split an interrupted run left staged) goes out at
// most once per ceremony: a rule on the second one never fires.
TEST_F(LinkFaultCeremonyTest, CancelSplitIsSentAtMostOncePerCeremony) {
  LinkFaultProxy& p1 = StartProxy(8107);
  p1.AddRule({Direction::kToAppliance, "cancel_split", 2, Fault::kDrop});
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_TRUE(p1.Log().empty()) << "root-init sent CancelSplit more than once";
  LinkFaultProxy& p2 = StartProxy(8108);
  p2.AddRule({Direction::kToAppliance, "cancel_split", 2, Fault::kDrop});
  log = Run("sign-intermediate", "two.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_TRUE(p2.Log().empty()) << "sign-intermediate sent CancelSplit more than once";
}

}  // namespace
}  // namespace pki::testing
