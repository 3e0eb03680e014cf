// Fuzzes the host's verifier of exported appliance journals (bytes from
// removable media): a summary or DATA_LOSS naming the record, never a crash.
// The audit key is a fixed P-256 key; inputs rarely carry a valid signature,
// which is the point: everything before the signature check is exercised.
#include <cstddef>
#include <cstdint>

#include "base/hex.h"
#include "journal/export.h"

namespace {
// SubjectPublicKeyInfo of a throwaway P-256 key (public data only).
constexpr char kSpkiHex[] =
    "3059301306072a8648ce3d020106082a8648ce3d03010703420004"
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static uint8_t spki[91];
  static const bool ready = pki::HexDecode(spki, kSpkiHex).ok();
  if (!ready) return 0;
  auto summary = pki::appliance::journal::VerifyJournalExportWithKey(pki::ByteSpan(data, size), spki);
  (void)summary;
  return 0;
}
