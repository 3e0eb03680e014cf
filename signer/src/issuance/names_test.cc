// Unit tests for the name rules: DNS, wildcard, IP/CIDR, SPIFFE, email, CN.
#include "names.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "common/ossl.h"

namespace pki::signer::internal {
namespace {

NameAllowlist Allow() {
  NameAllowlist a;
  a.dns_suffixes = {"example.com"};
  a.ip_cidrs = {"10.1.0.0/16", "2001:db8::/32"};
  a.spiffe_trust_domain = "prod.example.org";
  a.spiffe_path_prefixes = {"/ns/payments"};
  a.email_domains = {"example.com"};
  return a;
}

TEST(DnsNameTest, SuffixOnLabelBoundary) {
  const std::vector<std::string> s = {"example.com"};
  EXPECT_TRUE(CheckDnsName("example.com", false, s).ok());
  EXPECT_TRUE(CheckDnsName("api.EXAMPLE.com", false, s).ok());
  EXPECT_EQ(CheckDnsName("badexample.com", false, s).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckDnsName("example.com.evil.net", false, s).code(), StatusCode::kPermissionDenied);
}

TEST(DnsNameTest, MalformedNamesAreInvalid) {
  const std::vector<std::string> s = {"example.com"};
  for (const char* bad : {"", "a..example.com", "-a.example.com", "a_b.example.com", ".example.com",
                          "example.com.", "a b.example.com"}) {
    EXPECT_EQ(CheckDnsName(bad, true, s).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(CheckDnsName(std::string(64, 'a') + ".example.com", true, s).code(), StatusCode::kInvalidArgument);
}

TEST(DnsNameTest, WildcardRules) {
  const std::vector<std::string> s = {"example.com"};
  EXPECT_TRUE(CheckDnsName("*.example.com", true, s).ok());
  Status no = CheckDnsName("*.example.com", false, s);
  EXPECT_EQ(no.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no.message().find("wildcard"), std::string_view::npos);
  EXPECT_EQ(CheckDnsName("a.*.example.com", true, s).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckDnsName("f*.example.com", true, s).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckDnsName("*.com", true, {"com"}).code(), StatusCode::kInvalidArgument);
}

TEST(IpTest, CidrMatching) {
  unsigned char v4[4];
  inet_pton(AF_INET, "10.1.200.3", v4);
  EXPECT_TRUE(CheckIpAddress(ByteSpan(v4, 4), {"10.1.0.0/16"}).ok());
  inet_pton(AF_INET, "10.2.0.1", v4);
  EXPECT_EQ(CheckIpAddress(ByteSpan(v4, 4), {"10.1.0.0/16"}).code(), StatusCode::kPermissionDenied);
  unsigned char v6[16];
  inet_pton(AF_INET6, "2001:db8:5::1", v6);
  EXPECT_TRUE(CheckIpAddress(ByteSpan(v6, 16), {"10.1.0.0/16", "2001:db8::/32"}).ok());
  EXPECT_EQ(CheckIpAddress(ByteSpan(v6, 16), {"10.1.0.0/16"}).code(), StatusCode::kPermissionDenied);
  std::string net;
  int bits = 0;
  EXPECT_EQ(ParseCidr("10.0.0.0/33", &net, &bits).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCidr("10.0.0.0", &net, &bits).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCidr("nope/8", &net, &bits).code(), StatusCode::kInvalidArgument);
}

TEST(SpiffeTest, TrustDomainAndPathPrefix) {
  const NameAllowlist a = Allow();
  EXPECT_TRUE(CheckSpiffeUri("spiffe://prod.example.org/ns/payments", a).ok());
  EXPECT_TRUE(CheckSpiffeUri("spiffe://prod.example.org/ns/payments/sa/api", a).ok());
  EXPECT_EQ(CheckSpiffeUri("spiffe://prod.example.org/ns/paymentsx", a).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckSpiffeUri("spiffe://dev.example.org/ns/payments", a).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckSpiffeUri("https://prod.example.org/ns/payments", a).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckSpiffeUri("spiffe://prod.example.org/ns/payments/../admin", a).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckSpiffeUri("spiffe://prod.example.org/ns//payments", a).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckSpiffeUri("spiffe://prod.example.org", a).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckSpiffeUri("spiffe://Prod.example.org/ns/payments", a).code(), StatusCode::kInvalidArgument);
}

TEST(EmailTest, DomainExact) {
  EXPECT_TRUE(CheckEmail("release@example.com", {"example.com"}).ok());
  EXPECT_EQ(CheckEmail("release@sub.example.com", {"example.com"}).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckEmail("release", {"example.com"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckEmail("a@b@example.com", {"example.com"}).code(), StatusCode::kInvalidArgument);
}

OsslPtr<GENERAL_NAMES> Names(const std::vector<std::pair<int, std::string>>& items) {
  OsslPtr<GENERAL_NAMES> gens(sk_GENERAL_NAME_new_null());
  for (const auto& [type, value] : items) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (type == GEN_IPADD) {
      unsigned char buf[16];
      const bool v6 = value.find(':') != std::string::npos;
      inet_pton(v6 ? AF_INET6 : AF_INET, value.c_str(), buf);
      ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
      ASN1_OCTET_STRING_set(s, buf, v6 ? 16 : 4);
      GENERAL_NAME_set0_value(gn, GEN_IPADD, s);
    } else {
      ASN1_IA5STRING* s = ASN1_IA5STRING_new();
      ASN1_STRING_set(s, value.data(), static_cast<int>(value.size()));
      GENERAL_NAME_set0_value(gn, type, s);
    }
    sk_GENERAL_NAME_push(gens.get(), gn);
  }
  return gens;
}

TEST(CheckNamesTest, ProfileTypesAndCommonName) {
  const NameAllowlist a = Allow();
  std::vector<std::string> text;
  const Profile server = TlsServerProfile("int");
  auto gens = Names({{GEN_DNS, "www.example.com"}, {GEN_IPADD, "10.1.0.7"}});
  std::string cn = "www.example.com";
  ASSERT_TRUE(CheckNames(server, a, gens.get(), &cn, &text).ok());
  EXPECT_EQ(text, (std::vector<std::string>{"dns:www.example.com", "ip:10.1.0.7"}));
  cn = "other.example.com";
  EXPECT_EQ(CheckNames(server, a, gens.get(), &cn, &text).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckNames(server, a, nullptr, nullptr, &text).code(), StatusCode::kInvalidArgument);

  const Profile spiffe = SpiffeWorkloadProfile("int");
  auto dns = Names({{GEN_DNS, "www.example.com"}});
  Status s = CheckNames(spiffe, a, dns.get(), nullptr, &text);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("allows no DNS"), std::string_view::npos);
  auto two = Names({{GEN_URI, "spiffe://prod.example.org/ns/payments/a"},
                    {GEN_URI, "spiffe://prod.example.org/ns/payments/b"}});
  EXPECT_EQ(CheckNames(spiffe, a, two.get(), nullptr, &text).code(), StatusCode::kInvalidArgument);
  auto one = Names({{GEN_URI, "spiffe://prod.example.org/ns/payments/a"}});
  cn = "spiffe://prod.example.org/ns/payments/a";
  EXPECT_EQ(CheckNames(spiffe, a, one.get(), &cn, &text).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckNames(spiffe, a, one.get(), nullptr, &text).ok());

  auto dup = Names({{GEN_DNS, "a.example.com"}, {GEN_DNS, "a.example.com"}});
  EXPECT_EQ(CheckNames(server, a, dup.get(), nullptr, &text).code(), StatusCode::kInvalidArgument);
}

TEST(AllowlistTest, ValidateNamesBadEntries) {
  EXPECT_TRUE(ValidateAllowlist(Allow()).ok());
  NameAllowlist a = Allow();
  a.dns_suffixes = {"*.example.com"};
  EXPECT_EQ(ValidateAllowlist(a).code(), StatusCode::kInvalidArgument);
  a = Allow();
  a.ip_cidrs = {"10.0.0.0/40"};
  EXPECT_EQ(ValidateAllowlist(a).code(), StatusCode::kInvalidArgument);
  a = Allow();
  a.spiffe_path_prefixes = {"ns/x"};
  EXPECT_EQ(ValidateAllowlist(a).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::signer::internal
