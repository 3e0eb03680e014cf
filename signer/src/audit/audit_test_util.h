// audit_test_util.h — temp folders and file edits for the audit tests.
#ifndef PKI_SIGNER_AUDIT_AUDIT_TEST_UTIL_H_
#define PKI_SIGNER_AUDIT_AUDIT_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit_log.h"

namespace pki::signer::testing {

inline std::string MakeTempDir() {
  char tmpl[] = "/tmp/signer_audit_test.XXXXXX";
  PKI_CHECK(::mkdtemp(tmpl) != nullptr);
  return tmpl;
}

inline std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

inline void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& l : lines) out << l << "\n";
}

inline AuditRecord SampleRecord(int i) {
  AuditRecord r;
  r.client = "ci";
  r.method = "Sign";
  r.request_id = "req-" + std::to_string(i);
  r.key = "release";
  r.key_version = 1;
  r.key_id = "0102";
  r.algorithm = "ecdsa-p256-sha256";
  r.input_sha256 = std::string(64, 'a');
  r.outcome = "OK";
  r.latency_us = 100 + i;
  r.detail = "pkcs11:token=signer-a";
  return r;
}

}  // namespace pki::signer::testing

#endif  // PKI_SIGNER_AUDIT_AUDIT_TEST_UTIL_H_
