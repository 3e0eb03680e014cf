// base_checks.cc — base/ on the target: the same properties base_test checks
// on the host, compiled for Cortex-M and run under QEMU.
#include <array>
#include <cstring>

#include "base/crc32.h"
#include "base/hex.h"
#include "base/secret.h"
#include "base/status.h"
#include "base/status_or.h"
#include "firmware/selftest/checks.h"

namespace pki::firmware::selftest {
namespace {

StatusOr<int> Half(int v) {
  if (v % 2 != 0) return InvalidArgumentError("odd");
  return v / 2;
}

Status Quarter(int v, int* out) {
  PKI_ASSIGN_OR_RETURN(int half, Half(v));
  PKI_ASSIGN_OR_RETURN(int quarter, Half(half));
  *out = quarter;
  return OkStatus();
}

}  // namespace

void CheckStatus(Checker& check) {
  FW_EXPECT(check, OkStatus().ok());
  FW_EXPECT(check, OkStatus().message().empty());
  Status s = NotFoundError("record ");
  s.Append("key ").AppendNumber(4294967295u);
  FW_EXPECT(check, s.code() == StatusCode::kNotFound);
  FW_EXPECT(check, s.message() == "record key 4294967295");
  FW_EXPECT(check, std::string_view(StatusCodeName(StatusCode::kDataLoss)) == "DATA_LOSS");
  FW_EXPECT(check, std::string_view(StatusCodeName(static_cast<StatusCode>(200))) == "UNKNOWN");
  char long_text[300];
  std::memset(long_text, 'x', sizeof(long_text));
  Status truncated(StatusCode::kInternal, std::string_view(long_text, sizeof(long_text)));
  FW_EXPECT(check, truncated.message().size() == Status::kMaxMessage);
  Status copy = truncated;
  FW_EXPECT(check, copy.code() == StatusCode::kInternal && copy.message() == truncated.message());
}

void CheckStatusOr(Checker& check) {
  int out = 0;
  FW_EXPECT_OK(check, Quarter(12, &out));
  FW_EXPECT(check, out == 3);
  Status odd = Quarter(6, &out);
  FW_EXPECT(check, odd.code() == StatusCode::kInvalidArgument);
  FW_EXPECT(check, odd.message() == "odd");
  StatusOr<std::array<uint8_t, 4>> bytes = std::array<uint8_t, 4>{1, 2, 3, 4};
  FW_EXPECT(check, bytes.ok() && (*bytes)[3] == 4);
}

void CheckSecretArray(Checker& check) {
  const uint8_t key[] = {0x10, 0x20, 0x30, 0x40, 0x50};
  SecretArray<8> a;
  FW_EXPECT_OK(check, a.Assign(key));
  FW_EXPECT(check, a.size() == 5);
  const uint8_t too_long[9] = {};
  FW_EXPECT(check, a.Assign(too_long).code() == StatusCode::kInvalidArgument);
  FW_EXPECT(check, a.size() == 5);  // a failed Assign changes nothing
  SecretArray<8> b;
  FW_EXPECT_OK(check, b.Assign(key));
  FW_EXPECT(check, a.Equals(b));
  SecretArray<8> moved(std::move(a));
  FW_EXPECT(check, a.empty());
  FW_EXPECT(check, moved.Equals(b));
  ByteSpan view = moved.View(SecretAccess::Grant());
  FW_EXPECT(check, view.size() == 5 && view[4] == 0x50);
  // Clear wipes the bytes behind the view, not just the length.
  const uint8_t* raw = view.data();
  moved.Clear();
  bool wiped = true;
  for (size_t i = 0; i < 5; ++i) wiped = wiped && raw[i] == 0;
  FW_EXPECT(check, wiped);
  FW_EXPECT(check, ConstantTimeEqual(ByteSpan(key, 3), ByteSpan(key, 3)));
  FW_EXPECT(check, !ConstantTimeEqual(ByteSpan(key, 3), ByteSpan(key + 1, 3)));
  FW_EXPECT(check, !ConstantTimeEqual(ByteSpan(key, 3), ByteSpan(key, 4)));
  uint8_t plain[16];
  std::memset(plain, 0xAB, sizeof(plain));
  SecureZero(plain, sizeof(plain));
  FW_EXPECT(check, plain[0] == 0 && plain[15] == 0);
}

void CheckCrc32(Checker& check) {
  // The standard check values of CRC-32 (IEEE) and CRC-32C (Castagnoli).
  FW_EXPECT(check, Crc32(AsBytes("123456789")) == 0xCBF43926u);
  FW_EXPECT(check, Crc32c(AsBytes("123456789")) == 0xE3069283u);
  FW_EXPECT(check, Crc32(AsBytes("")) == 0u);
  // Incremental equals one shot.
  FW_EXPECT(check, Crc32(AsBytes("6789"), Crc32(AsBytes("12345"))) == 0xCBF43926u);
}

void CheckHex(Checker& check) {
  const uint8_t bytes[] = {0x00, 0xDE, 0xAD, 0xBE, 0xEF};
  char text[10];
  StatusOr<size_t> n = HexEncode(text, bytes);
  FW_EXPECT(check, n.ok() && *n == 10 && std::string_view(text, 10) == "00deadbeef");
  char small[9];
  FW_EXPECT(check, !HexEncode(small, bytes).ok());
  uint8_t decoded[5] = {};
  StatusOr<size_t> m = HexDecode(decoded, "00DEADbeef");
  FW_EXPECT(check, m.ok() && *m == 5 && std::memcmp(decoded, bytes, 5) == 0);
  FW_EXPECT(check, !HexDecode(decoded, "abc").ok());     // odd length
  FW_EXPECT(check, !HexDecode(decoded, "zz").ok());      // not hex
  FW_EXPECT(check, !HexDecode(decoded, "00112233445566").ok());  // too long for |out|
}

}  // namespace pki::firmware::selftest
