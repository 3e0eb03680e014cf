// custody_share_setup.h — the fixed 2-of-3 split custody_share_fuzz unwraps
// shares against, shared with the seed generator (fuzz_seedgen) so the seeds
// are real shares of exactly that split. Deterministic: a seeded DRBG, one
// KDF iteration (test builds accept it; production refuses fewer than
// 600000), an in-memory storage.
#ifndef PKI_TESTS_FUZZ_CUSTODY_SHARE_SETUP_H_
#define PKI_TESTS_FUZZ_CUSTODY_SHARE_SETUP_H_

#if PKI_PRODUCTION_BUILD
#error "custody_share_setup.h is test-only"
#endif

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/drbg.h"
#include "crypto/test_entropy.h"
#include "custody/custody.h"
#include "custody/share.h"
#include "snapshot_storage.h"

namespace pki::fuzz {

inline constexpr std::string_view kCustodyApplianceId = "fuzz-appliance-1";
inline constexpr std::array<std::string_view, 3> kCustodyNames = {"alice", "bob", "carol"};
inline constexpr std::array<std::string_view, 3> kCustodyPassphrases = {
    "correct horse battery", "tr0ub4dor&3 staple", "purple monkey dishwasher"};
inline constexpr uint32_t kCustodyIterations = 1;

struct CustodyRig {
  appliance::crypto::testing::SeededEntropy entropy{4242};
  std::optional<appliance::crypto::Drbg> drbg;
  SnapshotStorage storage;
  std::optional<appliance::custody::Custody> custody;
  std::array<std::vector<uint8_t>, 3> shares;  // the wrapped shares of the split
};

// SetUpCustody provisions |rig| with the split; PKI_CHECKs every step.
inline void SetUpCustody(CustodyRig& rig) {
  namespace cu = appliance::custody;
  PKI_CHECK(appliance::crypto::Drbg::Create(rig.entropy, AsBytes("custody-fuzz"), rig.drbg).ok());
  cu::CustodyConfig config;
  config.share_iterations = kCustodyIterations;
  config.quorum_timeout_ms = 60'000;
  PKI_CHECK(cu::Custody::Create(rig.storage, *rig.drbg, AsBytes(kCustodyApplianceId), config,
                                rig.custody)
                .ok());
  PKI_CHECK(rig.custody->BeginInitialSplit(2, kCustodyNames).ok());
  for (size_t i = 0; i < kCustodyNames.size(); ++i) {
    std::array<uint8_t, cu::kMaxWrappedShareSize> buf{};
    auto n = rig.custody->WrapStagedShare(static_cast<uint8_t>(i + 1),
                                          AsBytes(kCustodyPassphrases[i]), buf);
    PKI_CHECK(n.ok());
    rig.shares[i].assign(buf.begin(), buf.begin() + static_cast<long>(*n));
    PKI_CHECK(rig.custody->ConfirmStagedShare(rig.shares[i], AsBytes(kCustodyPassphrases[i])).ok());
  }
  PKI_CHECK(rig.custody->CommitStaged().ok());
}

}  // namespace pki::fuzz

#endif  // PKI_TESTS_FUZZ_CUSTODY_SHARE_SETUP_H_
