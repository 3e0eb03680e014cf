// Unit tests for reading issued certificates back from the audit log.
#include "audit/audit_issued.h"

#include <openssl/evp.h>

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/audit_test_util.h"
#include "audit/audit_verify.h"

namespace pki::signer {
namespace {

std::string B64(const std::string& der) {
  std::string out(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(der.data()), static_cast<int>(der.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

AuditRecord Outcome(const std::string& request_id, const std::string& der, const std::string& ref) {
  AuditRecord r;
  r.client = "ra";
  r.method = "IssueCertificate.outcome";
  r.request_id = request_id;
  r.key = "issuing";
  r.outcome = "OK";
  r.input_sha256 = HexOf(HashLine(der));
  r.detail = "profile=tls-server profile_sha256=" + std::string(64, 'a') + " csr_sha256=" + std::string(64, 'c') +
             " serial=" + std::string(40, '1') + " subject= names=dns:a.example.com not_before=1 not_after=2 ref=" +
             ref + " cert_sha256=" + r.input_sha256;
  r.certificate = B64(der);
  return r;
}

TEST(AuditIssuedTest, ParsesOutcomesAndNeverReadsTheRefAsAField) {
  const std::string der = "\x30\x03\x02\x01\x05 not really a certificate";
  IssuedRecord rec;
  const std::string line = FormatAuditLine(Outcome("id-\"1\"", der, "x serial=ffff names=dns:evil.example"),
                                           Sha256{}, 1, 7);
  ASSERT_TRUE(ParseIssuedRecord(line, rec));
  EXPECT_EQ(rec.seq, 7u);
  EXPECT_EQ(rec.client, "ra");
  EXPECT_EQ(rec.request_id, "id-\"1\"");
  EXPECT_EQ(rec.issuing_key, "issuing");
  EXPECT_EQ(rec.profile, "tls-server");
  EXPECT_EQ(rec.serial, std::string(40, '1'));
  EXPECT_EQ(rec.names, "dns:a.example.com");
  EXPECT_EQ(rec.csr_sha256, std::string(64, 'c'));
  EXPECT_EQ(rec.certificate_der, der);

  AuditRecord tampered = Outcome("id-2", der, "");
  tampered.certificate = B64(der + "x");  // does not match input_sha256
  EXPECT_FALSE(ParseIssuedRecord(FormatAuditLine(tampered, Sha256{}, 1, 8), rec));
  AuditRecord failed = Outcome("id-3", der, "");
  failed.outcome = "INTERNAL";
  EXPECT_FALSE(ParseIssuedRecord(FormatAuditLine(failed, Sha256{}, 1, 9), rec));
  AuditRecord old = Outcome("id-4", der, "");  // before certificates were recorded
  old.certificate.clear();
  ASSERT_TRUE(ParseIssuedRecord(FormatAuditLine(old, Sha256{}, 1, 10), rec));
  EXPECT_TRUE(rec.certificate_der.empty());
  AuditRecord sign;
  sign.method = "Sign";
  sign.outcome = "OK";
  EXPECT_FALSE(ParseIssuedRecord(FormatAuditLine(sign, Sha256{}, 1, 11), rec));
}

TEST(AuditIssuedTest, ReadsTheLastAcrossRotatedFiles) {
  const std::string dir = testing::MakeTempDir();
  {
    auto log = AuditLog::Open({dir + "/audit.log", 2048, nullptr});
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 12; ++i) {
      ASSERT_TRUE((*log)->Append(Outcome("id-" + std::to_string(i), "der-" + std::to_string(i), "")).ok());
      AuditRecord other;
      other.method = "Sign";
      other.outcome = "OK";
      ASSERT_TRUE((*log)->Append(other).ok());
    }
  }
  const std::vector<std::string> files = ListAuditFiles(dir + "/audit.log");
  ASSERT_GT(files.size(), 2u);  // rotated
  EXPECT_TRUE(VerifyAuditLog(files).ok());
  auto all = ReadIssuedRecords(files, 0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 12u);
  EXPECT_EQ(all->front().request_id, "id-0");
  auto last = ReadIssuedRecords(files, 5);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 5u);
  EXPECT_EQ(last->front().request_id, "id-7");
  EXPECT_EQ(last->back().request_id, "id-11");
  EXPECT_EQ(last->back().certificate_der, "der-11");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pki::signer
