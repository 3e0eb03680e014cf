// Frames lost or corrupted on the way to the appliance during a ceremony:
// the appliance never acts on them (a corrupted frame gets an id-0
// BAD_FRAME answer the host sets aside), the host's call times out, and the
// ceremony stops cleanly. Slow (two 120 s host timeouts): labelled slow.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "link_fault_fixture.h"

namespace pki::testing {
namespace {

using ::testing::HasSubstr;

// A lost or corrupted request (the appliance never acts on it): the host's
// call times out, the ceremony stops with an error naming the missing
// answer (after the session's 120 s call timeout: this test takes ~4 min),
// the runner aborts the open quorum session, nothing is half-done, and a
// second run over a clean link completes.
TEST_F(LinkFaultCeremonyTest, LostOrCorruptedRequestStopsCleanlyAndRerunCompletes) {
  StartProxy(8101);
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, 0) << log;

  StartProxy(8102).AddRule({Direction::kToAppliance, "submit_share", 2, Fault::kDrop});
  log = Run("sign-intermediate", "two.answers", &rc);
  EXPECT_NE(rc, 0) << log;
  EXPECT_THAT(log, HasSubstr("no response from the appliance in time"));
  EXPECT_THAT(log, HasSubstr("open operation aborted on the appliance"));
  EXPECT_NE(::access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0) << "a failed ceremony left a certificate";
  ExpectNothingHalfDone(appliance::v1::LOCKED);

  StartProxy(8103).AddRule({Direction::kToAppliance, "execute", 1, Fault::kCorrupt});
  log = Run("sign-intermediate", "two.answers", &rc);
  EXPECT_NE(rc, 0) << log;
  EXPECT_THAT(log, HasSubstr("no response from the appliance in time"));
  EXPECT_NE(::access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0);
  ExpectNothingHalfDone(appliance::v1::LOCKED);

  StartProxy(8104);
  log = Run("sign-intermediate", "two.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  ExpectVerifiedOutputs();
  ExpectNothingHalfDone(appliance::v1::LOCKED);
}

}  // namespace
}  // namespace pki::testing
