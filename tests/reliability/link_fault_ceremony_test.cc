// The whole ceremony over a faulty link: the `ceremony` program (host agent
// LinkClient) talks to appliance-sim through LinkFaultProxy, which drops,
// duplicates, reorders (late copies), corrupts, splits and pads frames or
// pulls the cable, seeded. root-init and sign-intermediate must either
// complete correctly (root and intermediate verify with openssl) or stop
// with a clear error and nothing half-done on the appliance. Lost or
// corrupted frames (the host resends after 2 s) are in
// link_fault_timeout_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "link_fault_fixture.h"

namespace pki::testing {
namespace {

using ::testing::HasSubstr;

// Faults the link protocol absorbs without a resend: duplicated frames (the
// appliance answers a repeated request id from its cache; the host drops
// answers to ids it no longer waits for), late copies delivered after the
// next frame, frames split into small chunks, noise between frames (answered
// with id-0 errors the host keeps aside). The ceremony must complete.
TEST_F(LinkFaultCeremonyTest, DuplicatedReorderedSplitAndNoisyFramesCeremonyCompletes) {
  RandomFaults f;
  f.duplicate = 0.15;
  f.late_copy = 0.15;
  f.split = 0.15;
  f.noise = 0.1;
  StartProxy(8001).SetRandom(f);
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  ASSERT_GT(proxy_->Log().size(), 3u);
  LinkFaultProxy& p = StartProxy(8002);
  p.SetRandom(f);
  // Stale copies of the operation's own requests reach the appliance after
  // newer ones: a share after the quorum is complete, Execute after its
  // result was fetched. They must change nothing (the host drops their
  // answers: ids it no longer waits for).
  p.AddRule({Direction::kToAppliance, "submit_share", 1, Fault::kLateCopy});
  p.AddRule({Direction::kToAppliance, "submit_share", 2, Fault::kDuplicate});
  p.AddRule({Direction::kToAppliance, "execute", 1, Fault::kLateCopy});
  p.AddRule({Direction::kToHost, "execute", 1, Fault::kDuplicate});
  log = Run("sign-intermediate", "two.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  ASSERT_GT(proxy_->Log().size(), 3u);
  ExpectVerifiedOutputs();
  ExpectNothingHalfDone(appliance::v1::LOCKED);
}

// The cable is pulled just before Execute reaches the appliance (a host
// laptop crash looks the same): the ceremony stops at once with an error
// naming the link, no certificate reaches the media, and the root signed
// nothing (CRL number and journal as before the run).
TEST_F(LinkFaultCeremonyTest, CablePulledBeforeExecuteStopsWithAClearErrorAndSignsNothing) {
  StartProxy(8301);
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  const auto before = Status();
  StartProxy(8302).AddRule({Direction::kToAppliance, "execute", 1, Fault::kDisconnect});
  log = Run("sign-intermediate", "two.answers", &rc);
  EXPECT_NE(rc, 0) << log;
  EXPECT_THAT(log, HasSubstr("FAILED at step sign-execute: the appliance closed the link"));
  EXPECT_NE(::access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0) << "a failed ceremony left a certificate";
  const auto after = Status();
  EXPECT_EQ(after.crl_number(), before.crl_number());
  EXPECT_EQ(after.root_cert_sha256(), before.root_cert_sha256());
  EXPECT_EQ(after.failed_attempts(), 0u);
}

// The link drops after the quorum is reached (or after any BeginOperation):
// the runner's Abort can't reach the appliance, and a UART can't tell the
// appliance the cable was pulled, so the quorum session stays open (nothing
// was signed). The next run finds it in GetStatus, aborts it (an Abort with
// no nonce: it only destroys an in-progress quorum; journaled) and says so
// in its log and transcript; a rerun over a clean link completes and leaves
// nothing open.
TEST_F(LinkFaultCeremonyTest, CablePulledMidOperationLeavesNoOpenQuorumAndRerunCompletes) {
  StartProxy(8311);
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  StartProxy(8312).AddRule({Direction::kToAppliance, "execute", 1, Fault::kDisconnect});
  log = Run("sign-intermediate", "two.answers", &rc);
  EXPECT_NE(rc, 0) << log;
  EXPECT_NE(::access((dir_ + "/media/out/issuing.crt").c_str(), F_OK), 0) << "a failed ceremony left a certificate";
  StartProxy(8313).AddRule({Direction::kToHost, "submit_share", 2, Fault::kDisconnect});
  log = Run("sign-intermediate", "two.answers", &rc);
  EXPECT_NE(rc, 0) << log;
  EXPECT_THAT(log, HasSubstr("an operation an earlier run left open (SIGN_INTERMEDIATE, 2 shares accepted) "
                             "was aborted on the appliance at start"));
  StartProxy(8314);
  log = Run("sign-intermediate", "two.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_THAT(log, HasSubstr("was aborted on the appliance at start"));
  ExpectVerifiedOutputs();
  ExpectNothingHalfDone(appliance::v1::LOCKED);
}

// A lost answer after the appliance acted. The protocol has the cure
// (docs/appliance-link.md): LinkClient::Call resends the same request id
// (same bytes) after 2 s and gets the cached answer byte for byte, so the
// BeginOperation is done once, the run completes in seconds and leaves no
// session open. (A lost Init answer is harmless too: Init commits only after
// every custodian confirmed their share; see
// CablePulledDuringRootInitLeavesTheDeviceNewAndRerunCompletes.)
TEST_F(LinkFaultCeremonyTest, LostBeginOperationAnswerIsRecoveredByResendingTheSameRequest) {
  StartProxy(8201);
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  StartProxy(8202).AddRule({Direction::kToHost, "begin_operation", 1, Fault::kDrop});
  log = Run("sign-intermediate", "two.answers", &rc);
  EXPECT_EQ(rc, 0) << log;
  ExpectNothingHalfDone(appliance::v1::LOCKED);
  StartProxy(8203);
  log = Run("sign-intermediate", "two.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  ExpectVerifiedOutputs();
}

// The cable is pulled as the Init answer (root made, shares wrapped) goes
// back to the host: the shares never reach the media. Init commits only once
// every custodian has confirmed their share, so the device is still new
// (UNPROVISIONED, no root), and root-init run again completes.
TEST_F(LinkFaultCeremonyTest, CablePulledDuringRootInitLeavesTheDeviceNewAndRerunCompletes) {
  StartProxy(8501).AddRule({Direction::kToHost, "init", 1, Fault::kDisconnect});
  int rc;
  std::string log = Run("root-init", "all.answers", &rc);
  EXPECT_NE(rc, 0) << log;
  EXPECT_THAT(log, HasSubstr("FAILED at step init"));
  auto s = Status();
  EXPECT_EQ(s.state(), appliance::v1::UNPROVISIONED);
  EXPECT_TRUE(s.root_cert_sha256().empty());
  EXPECT_NE(::access((dir_ + "/media/out/root.crt").c_str(), F_OK), 0) << "a failed root-init left a root";
  StartProxy(8502);
  log = Run("root-init", "all.answers", &rc);
  ASSERT_EQ(rc, 0) << log;
  s = Status();
  EXPECT_EQ(s.state(), appliance::v1::LOCKED);
  int vrc;
  const std::string v = Out("openssl verify -x509_strict -CAfile '" + dir_ + "/media/out/root.crt' '" + dir_ +
                                "/media/out/root.crt'",
                            &vrc);
  EXPECT_EQ(vrc, 0) << v;
}

}  // namespace
}  // namespace pki::testing
