// types.h — the custody vocabulary: sizes, custodian names, split ids and
// the public (loggable) description of a split.
#ifndef PKI_APPLIANCE_CUSTODY_TYPES_H_
#define PKI_APPLIANCE_CUSTODY_TYPES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/secret.h"
#include "base/status.h"
#include "custody/shamir.h"

namespace pki::appliance::custody {

inline constexpr size_t kKekSize = kSecretSize;  // 32: an AES-256 key
inline constexpr size_t kSplitIdSize = 16;
inline constexpr size_t kMaxNameSize = 31;         // link.options: 32 with NUL
inline constexpr size_t kMaxApplianceIdSize = 39;  // link.options: 40 with NUL
inline constexpr size_t kCommitmentSize = 32;      // SHA-256
inline constexpr size_t kMaxPassphraseSize = 127;  // link.options: 128 with NUL
inline constexpr size_t kMinPassphraseSize = 8;
// The ceremony default: 3 of 5 custodians.
inline constexpr uint8_t kDefaultThreshold = 3;
inline constexpr uint8_t kDefaultCount = 5;

// The key-encryption key that seals the root key (same type as crypto's
// AeadKey: a zeroizing 32-byte array).
using Kek = SecretArray<kKekSize>;
using SplitId = std::array<uint8_t, kSplitIdSize>;
using Commitment = std::array<uint8_t, kCommitmentSize>;

// CustodianName is a printable name of 1..31 bytes (no control characters),
// held inline.
class CustodianName final {
 public:
  CustodianName() = default;
  // Set copies |name|; INVALID_ARGUMENT (this unchanged) if it is empty,
  // longer than kMaxNameSize or has a byte below 0x20 or 0x7f.
  [[nodiscard]] Status Set(std::string_view name);
  std::string_view view() const { return std::string_view(chars_.data(), size_); }
  bool empty() const { return size_ == 0; }
  bool operator==(const CustodianName& o) const { return view() == o.view(); }

 private:
  std::array<char, kMaxNameSize> chars_{};
  uint8_t size_ = 0;
};

// SplitInfo describes a split; nothing in it is secret. Custodian i (index
// i, 1..count) is names[i - 1]; commitments[i - 1] is the digest of share i
// (see commitment.h).
struct SplitInfo {
  SplitId split_id{};
  uint8_t threshold = 0;  // M
  uint8_t count = 0;      // N
  std::array<CustodianName, kMaxShares> names{};
  std::array<Commitment, kMaxShares> commitments{};
  Commitment kek_check{};  // KekCheck(split_id, kek): the second check of a quorum
};

// ApplianceId is the device identity bound into every share (1..39 bytes).
class ApplianceId final {
 public:
  ApplianceId() = default;
  // Set copies |id|; INVALID_ARGUMENT if it is empty or longer than 39 bytes.
  [[nodiscard]] Status Set(ByteSpan id);
  ByteSpan view() const { return ByteSpan(bytes_.data(), size_); }

 private:
  std::array<uint8_t, kMaxApplianceIdSize> bytes_{};
  uint8_t size_ = 0;
};

// CustodianError returns |code| with the message "custodian <name> (share
// <index>): <what>", the form every share rejection uses.
Status CustodianError(StatusCode code, std::string_view name, uint8_t index,
                      std::string_view what);

}  // namespace pki::appliance::custody

#endif  // PKI_APPLIANCE_CUSTODY_TYPES_H_
