#include "ca/der.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "crypto/test_util.h"
#include "mbedtls/asn1.h"

namespace pki::appliance::ca::internal {
namespace {

using crypto::testing::ToHex;

std::string TimeDer(int64_t t) {
  std::array<uint8_t, 32> buf{};
  DerWriter w(buf);
  w.Time(t);
  StatusOr<size_t> n = w.Finish("time");
  if (!n.ok()) return "error";
  return ToHex(ByteSpan(buf.data(), *n));
}

std::string Ascii(std::string_view s) { return ToHex(AsBytes(s)); }

TEST(DerTest, TimesUseUtcTimeThrough2049AndGeneralizedTimeAfter) {
  EXPECT_EQ(TimeDer(2524607999), "170d" + Ascii("491231235959Z"));      // 2049-12-31T23:59:59Z
  EXPECT_EQ(TimeDer(2524608000), "180f" + Ascii("20500101000000Z"));    // 2050-01-01T00:00:00Z
  EXPECT_EQ(TimeDer(kMinTime), "170d" + Ascii("500101000000Z"));        // 1950-01-01
  EXPECT_EQ(TimeDer(0), "170d" + Ascii("700101000000Z"));
  EXPECT_EQ(TimeDer(951782400), "170d" + Ascii("000229000000Z"));       // 2000-02-29 (leap day)
  EXPECT_EQ(TimeDer(kMaxTime), "180f" + Ascii("99991231235959Z"));
  EXPECT_EQ(TimeDer(kMinTime - 1), "error");
  EXPECT_EQ(TimeDer(kMaxTime + 1), "error");
  EXPECT_FALSE(CheckTimeRange(kMaxTime + 1, "t").ok());
}

TEST(DerTest, UnixFromX509TimeInvertsTheEncoder) {
  for (int64_t t : {int64_t{0}, int64_t{951782399}, int64_t{1798761600}, int64_t{2524608000}, kMinTime, kMaxTime,
                    int64_t{4102444799}}) {
    std::array<uint8_t, 32> buf{};
    DerWriter w(buf);
    w.Time(t);
    StatusOr<size_t> n = w.Finish("time");
    ASSERT_TRUE(n.ok());
    unsigned char* p = buf.data();
    mbedtls_x509_time xt{};
    ASSERT_EQ(mbedtls_x509_get_time(&p, buf.data() + *n, &xt), 0) << t;
    EXPECT_EQ(UnixFromX509Time(xt), t);
  }
}

TEST(DerTest, IntegersArePositiveAndMinimal) {
  std::array<uint8_t, 32> buf{};
  auto enc = [&](ByteSpan mag) {
    DerWriter w(buf);
    w.UnsignedInt(mag);
    StatusOr<size_t> n = w.Finish("int");
    return n.ok() ? ToHex(ByteSpan(buf.data(), *n)) : std::string("error");
  };
  const uint8_t high[] = {0x80, 0x01};
  const uint8_t zeros[] = {0x00, 0x00, 0x7f};
  const uint8_t zero[] = {0x00};
  EXPECT_EQ(enc(high), "0203008001");
  EXPECT_EQ(enc(zeros), "02017f");
  EXPECT_EQ(enc(zero), "020100");
  DerWriter w(buf);
  w.Uint64(256);
  StatusOr<size_t> n = w.Finish("u64");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(ToHex(ByteSpan(buf.data(), *n)), "02020100");
}

TEST(DerTest, WriterReportsShortBuffers) {
  std::array<uint8_t, 4> buf{};
  DerWriter w(buf);
  w.OctetString(AsBytes("too long for four bytes"));
  w.SmallInt(1);  // ignored after the first error
  EXPECT_EQ(w.Finish("x").status().code(), StatusCode::kOutOfRange);
}

TEST(DerTest, EcdsaAlgorithmIdentifierHasNoParametersRsaHasNull) {
  std::array<uint8_t, 32> buf{};
  DerWriter w(buf);
  WriteSignatureAlgorithm(w, crypto::KeyAlgorithm::kEcP384);
  StatusOr<size_t> n = w.Finish("alg");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(ToHex(ByteSpan(buf.data(), *n)), "300a06082a8648ce3d040303");
  DerWriter r(buf);
  WriteSignatureAlgorithm(r, crypto::KeyAlgorithm::kRsa3072);
  n = r.Finish("alg");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(ToHex(ByteSpan(buf.data(), *n)), "300d06092a864886f70d01010b0500");
}

TEST(DerTest, UrlsMustBeHttpWithAHost) {
  EXPECT_TRUE(CheckUrl("http://pki.example.com/root.crl", 200, "f").ok());
  EXPECT_TRUE(CheckUrl("https://pki.example.com/r.crt", 200, "f").ok());
  for (std::string_view bad : {"", "ftp://x/y", "http://", "http:///path", "http://a b", "ldap://x"}) {
    Status s = CheckUrl(bad, 200, "profile.crl_distribution_point");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("profile.crl_distribution_point"), std::string_view::npos);
  }
  EXPECT_FALSE(CheckUrl("http://example.com/" + std::string(200, 'a'), 200, "f").ok());
}

TEST(DerTest, NamesFromStrings) {
  std::array<uint8_t, 256> buf{};
  StatusOr<size_t> n = NameFromString("C=US,O=Example,CN=Root", buf);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(buf[0], 0x30);
  EXPECT_EQ(NameFromString("", buf).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NameFromString("XX=nope", buf).status().code(), StatusCode::kInvalidArgument);
  // An empty attribute value is refused by name (it used to reach mbedTLS's
  // writer as a null pointer: fuzz finding).
  for (const char* dn : {"C=DE,O=Example,CN=", "CN=", "C=,CN=Root"}) {
    StatusOr<size_t> empty = NameFromString(dn, buf);
    EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument) << dn;
    EXPECT_NE(empty.status().message().find("empty value"), std::string_view::npos) << dn;
  }
}

}  // namespace
}  // namespace pki::appliance::ca::internal
