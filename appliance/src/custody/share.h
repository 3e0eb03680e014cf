// share.h — the wrapped, self-checking custodian share: its byte format,
// wrapping under a passphrase and unwrapping. See docs/custody.md.
//
// Format (big-endian; everything is public except the sealed value). At
// most 148 bytes, inside link.options' 160 for WrappedShare.wrapped:
//    0  4  magic "PKSH"
//    4  1  format version (1)
//    5  1  index i (1..16)
//    6  1  threshold M
//    7  1  count N
//    8 16  split id
//   24  8  appliance tag: SHA-256("pki-appliance-id-v1" || appliance id)[0..8)
//   32  4  PBKDF2-HMAC-SHA256 iteration count
//   36 16  PBKDF2 salt
//   52  1  custodian name length c (1..31)
//   53  c  custodian name
//   ..  60 AES-256-GCM: nonce (12) || sealed share value (32) || tag (16),
//          key = PBKDF2(passphrase, salt, iterations), AAD = "pki-custody-
//          share-v1" || every byte above || the full appliance id, so the
//          appliance, split id, name, index, M, N and KDF parameters are all
//          authenticated
//   ..  4  CRC-32 of every byte above: catches transcription errors before
//          the (slow) KDF runs
#ifndef PKI_APPLIANCE_CUSTODY_SHARE_H_
#define PKI_APPLIANCE_CUSTODY_SHARE_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"
#include "crypto/aead.h"
#include "crypto/drbg.h"
#include "crypto/digest.h"
#include "custody/shamir.h"
#include "custody/types.h"

namespace pki::appliance::custody {

inline constexpr uint8_t kShareFormatVersion = 1;
inline constexpr size_t kShareSaltSize = 16;
inline constexpr size_t kShareFixedHeaderSize = 53;
inline constexpr size_t kApplianceTagSize = 8;
inline constexpr size_t kShareSealedSize = kKekSize + crypto::kAeadOverhead;  // 60
inline constexpr size_t kShareChecksumSize = 4;
inline constexpr size_t kMaxWrappedShareSize =
    kShareFixedHeaderSize + kMaxNameSize + kShareSealedSize + kShareChecksumSize;  // 148
// The production default; test builds may pass smaller counts.
inline constexpr uint32_t kDefaultShareIterations = 600000;
// kMaxShareIterations bounds the PBKDF2 count a share may ask for (8x the
// default). The count comes from the share's header, which the host hands
// in: without a bound a forged share could make the appliance run the KDF
// up to 2^32 - 1 times (hours on a board). Above it a share is refused
// before any KDF work (docs/custody.md).
inline constexpr uint32_t kMaxShareIterations = 8 * kDefaultShareIterations;

// ShareHeader is the public part of a wrapped share.
struct ShareHeader {
  uint8_t version = kShareFormatVersion;
  uint8_t index = 0;
  uint8_t threshold = 0;
  uint8_t count = 0;
  SplitId split_id{};
  std::array<uint8_t, kApplianceTagSize> appliance_tag{};
  CustodianName name;
  uint32_t iterations = 0;
  std::array<uint8_t, kShareSaltSize> salt{};
};

// ParsedShare is a wrapped share whose checksum and layout were checked.
// |sealed| and |aad_body| borrow the bytes given to ParseWrappedShare.
struct ParsedShare {
  ShareHeader header;
  ByteSpan aad_body;  // bytes [0, header end)
  ByteSpan sealed;    // nonce || ciphertext || tag
};

// ParseWrappedShare checks and splits |wrapped| (borrowed; |out| points into
// it). INVALID_ARGUMENT naming what is wrong: "checksum mismatch" (a
// transcription error), a bad length, magic, version, index/M/N or name.
// When the checksum fails but the index byte is readable, |out_index_hint|
// (if non-null) gets it so the caller can name the custodian.
Status ParseWrappedShare(ByteSpan wrapped, ParsedShare* out, uint8_t* out_index_hint = nullptr);

// ApplianceTag returns the 8-byte tag of |id| that shares carry.
std::array<uint8_t, kApplianceTagSize> ApplianceTag(const ApplianceId& id);

// WrapShare seals |value| (a Shamir share value, kKekSize bytes) for the
// custodian in |header| (whose salt it fills from |drbg| and whose appliance
// tag it sets from |appliance|) under |passphrase|
// (secret, borrowed) and writes the wrapped share to the front of |out|,
// returning its length. INVALID_ARGUMENT for a bad header, a passphrase
// shorter than 8 or longer than 127 bytes; FAILED_PRECONDITION if
// header.iterations is below the build's minimum (600000 in production);
// OUT_OF_RANGE if |out| is too small; UNAVAILABLE if the DRBG failed.
StatusOr<size_t> WrapShare(crypto::Drbg& drbg, const ApplianceId& appliance,
                           ShareHeader header, const ShareValue& value, ByteSpan passphrase,
                           MutableByteSpan out);

// UnwrapShare derives the key from |passphrase| and opens |share|'s sealed
// value into |out_value|, authenticating it for |appliance|. PERMISSION_DENIED "did not decrypt: wrong
// passphrase or altered share" if authentication fails (|out_value| is then
// cleared); FAILED_PRECONDITION if the share's iteration count is below the
// build's minimum, INVALID_ARGUMENT (before any KDF work) if it is above
// kMaxShareIterations. Errors name the custodian from the header.
Status UnwrapShare(const ParsedShare& share, const ApplianceId& appliance, ByteSpan passphrase,
                   ShareValue* out_value);

}  // namespace pki::appliance::custody

#endif  // PKI_APPLIANCE_CUSTODY_SHARE_H_
