// test_root.h — a root certificate made from a test seed, on any target.
//
// The same code runs on the host (tests/firmware fw_root_repro) and on the
// boards (firmware/core_selftest): fed the same test entropy stream it must
// produce the same certificate bytes everywhere, which tests/firmware checks
// against one golden SHA-256 (tests/firmware/testdata/test_root_seed1.sha256).
// Test builds only: the entropy is hw::fake::SeededEntropy's stream.
#ifndef PKI_FIRMWARE_CORE_TEST_ROOT_H_
#define PKI_FIRMWARE_CORE_TEST_ROOT_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status_or.h"
#include "hw/entropy.h"

namespace pki::firmware {

// The fixed profile: EC P-384, subject below, 2026-01-01 .. 2046-01-01 UTC.
inline constexpr char kTestRootSubject[] = "C=XX,O=PKI firmware test,CN=Firmware Test Root R1";
inline constexpr int64_t kTestRootNotBefore = 1767225600;  // 2026-01-01T00:00:00Z
inline constexpr int64_t kTestRootNotAfter = 2398377600;   // 2046-01-01T00:00:00Z

// MakeTestRoot seeds a DRBG from |entropy| (borrowed), generates a P-384 key,
// a serial, the root TBS, and signs it; writes the DER certificate to the
// front of |out_der| and returns its length. Errors from crypto/ and ca/
// (OUT_OF_RANGE if |out_der| is too small). The key is wiped on return.
StatusOr<size_t> MakeTestRoot(hw::EntropySource& entropy, MutableByteSpan out_der);

}  // namespace pki::firmware

#endif  // PKI_FIRMWARE_CORE_TEST_ROOT_H_
