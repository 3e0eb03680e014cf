// checks.h — the selftest image's test cases (base_checks.cc, board_checks.cc).
#ifndef PKI_FIRMWARE_SELFTEST_CHECKS_H_
#define PKI_FIRMWARE_SELFTEST_CHECKS_H_

#include <string_view>

#include "firmware/testing/fw_check.h"

namespace pki::firmware::selftest {

void CheckStatus(Checker& check);
void CheckStatusOr(Checker& check);
void CheckSecretArray(Checker& check);
void CheckCrc32(Checker& check);
void CheckHex(Checker& check);

void CheckClock(Checker& check);
void CheckEntropy(Checker& check);
void CheckStorage(Checker& check);
void CheckStackCanary(Checker& check);

// The folder (host path) CheckStorage uses; set by main from "storage=".
void SetStorageFolder(std::string_view folder);

}  // namespace pki::firmware::selftest

#endif  // PKI_FIRMWARE_SELFTEST_CHECKS_H_
