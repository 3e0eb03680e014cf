// audit_record.h — one audit record and its line in the log.
//
// A record is one line of JSON. Its first three fields are fixed in order so
// the chain can be checked without a JSON library:
//   {"prev":"<64 hex>","gen":G,"seq":S,"time":"...",...}\n
// "prev" is the SHA-256 of the previous record's line (without its newline),
// 64 zeros for the very first record; "gen" is the log file's generation
// (bumped at each rotation); "seq" counts records across all files from 1.
#ifndef PKI_SIGNER_AUDIT_AUDIT_RECORD_H_
#define PKI_SIGNER_AUDIT_AUDIT_RECORD_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status_or.h"

namespace pki::signer {

using Sha256 = std::array<uint8_t, 32>;

// What is journaled about one request. No secret ever goes in here.
struct AuditRecord {
  int64_t time_unix_ms = 0;  // 0: the log stamps the time of writing
  std::string client;        // the policy client name, or the peer subject if unknown
  std::string method;        // "Sign", "GetPublicKey", "ListKeys", "IssueCertificate"
  std::string request_id;
  std::string key;           // key alias
  uint32_t key_version = 0;
  std::string key_id;        // CKA_ID hex of the key version
  std::string algorithm;     // AlgorithmName()
  std::string input_sha256;  // hex SHA-256 of the digest or message signed
  std::string outcome;       // StatusCodeName(), "OK" on success
  int64_t latency_us = 0;
  std::string detail;        // replica that signed, or error detail (never a secret)
  // Base64 DER of the certificate an IssueCertificate.outcome record released
  // (what answers a retry of the same request after a restart); written as a
  // last "certificate" field only when not empty, so other records are as before.
  std::string certificate;
};

// The chain fields of a parsed line.
struct AuditLinePrefix {
  Sha256 prev{};
  uint64_t gen = 0;
  uint64_t seq = 0;
};

// FormatAuditLine returns the record's line (without newline) chained to
// |prev| with generation |gen| and sequence |seq|. Never fails.
std::string FormatAuditLine(const AuditRecord& record, const Sha256& prev, uint64_t gen, uint64_t seq);

// ParseAuditLinePrefix checks the line's shape (fixed prefix, closing brace,
// no control characters) and reads its chain fields. INVALID_ARGUMENT naming
// what is wrong otherwise.
StatusOr<AuditLinePrefix> ParseAuditLinePrefix(std::string_view line);

// HashLine returns the SHA-256 of |line|.
Sha256 HashLine(std::string_view line);

// HexOf returns the lower-case hex of |bytes|.
std::string HexOf(std::string_view bytes);
std::string HexOf(const Sha256& h);

// AuditId returns the id a client gets back: "<gen>:<seq>".
std::string AuditId(uint64_t gen, uint64_t seq);

}  // namespace pki::signer

#endif  // PKI_SIGNER_AUDIT_AUDIT_RECORD_H_
