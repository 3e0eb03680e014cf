// Frames lost or corrupted on the way to the appliance during a ceremony:
// the appliance never acts on them (a corrupted frame gets an id-0
// BAD_FRAME answer the host sets aside), the host's call times out, and the
// ceremony stops cleanly. Slow (a 120 s host timeout): labelled slow. One
// case only, to spare CI: a frame dropped on the way in behaves the same at
// the host (measured: the same clean stop when SubmitShare #2 is dropped).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "link_fault_fixture.h"

namespace pki::testing {
namespace {

using ::testing::HasSubstr;

// Execute corrupted on the way (the appliance never acts on it): the host's
// call times out, the ceremony stops with an error naming the missing
// answer (after the session's 120 s call timeout: this test takes ~2 min),
// the runner aborts the open quorum session, nothing is half-done, and a
// second run over a clean link completes.
TEST_F(LinkFaultCeremonyTest, CorruptedExecuteStopsCleanlyAndRerunCompletes) {
  StartProxy(8101);
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, 0) << log;

  const auto before = Status();
  StartProxy(8103).AddRule({Direction::kToAppliance, "execute", 1, Fault::kCorrupt});
  log = Run("sign-intermediate", "two.answers", &rc);
  EXPECT_NE(rc, 0) << log;
  EXPECT_THAT(log, HasSubstr("no response from the appliance in time"));
  EXPECT_THAT(log, HasSubstr("open operation aborted on the appliance"));
  EXPECT_NE(::access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0);
  ExpectNothingHalfDone(appliance::v1::LOCKED);
  EXPECT_EQ(Status().crl_number(), before.crl_number()) << "the root signed something";

  StartProxy(8104);
  log = Run("sign-intermediate", "two.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  ExpectVerifiedOutputs();
  ExpectNothingHalfDone(appliance::v1::LOCKED);
}

}  // namespace
}  // namespace pki::testing
