#include "policy/peer_identity.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace pki::signer {
namespace {

// Makes a self-signed certificate with the openssl tool and returns its PEM.
std::string MakeCert(const std::string& subj, const std::string& san) {
  char tmpl[] = "/tmp/peer_identity_test.XXXXXX";
  PKI_CHECK(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -keyout " +
                    dir + "/k.pem -out " + dir + "/c.pem -subj '" + subj + "'";
  if (!san.empty()) cmd += " -addext 'subjectAltName=" + san + "'";
  cmd += " 2>/dev/null";
  PKI_CHECK(std::system(cmd.c_str()) == 0);
  std::ifstream in(dir + "/c.pem");
  std::stringstream ss;
  ss << in.rdbuf();
  std::filesystem::remove_all(dir);
  return ss.str();
}

TEST(PeerIdentityTest, ReadsSansAndRfc2253Subject) {
  const std::string pem = MakeCert("/O=Example/CN=ci", "URI:spiffe://example.org/ci,DNS:ci.example.org,DNS:b.example.org,email:x@example.org");
  auto id = PeerIdentityFromPem(pem);
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id->uri_sans, std::vector<std::string>{"spiffe://example.org/ci"});
  EXPECT_EQ(id->dns_sans, (std::vector<std::string>{"ci.example.org", "b.example.org"}));
  EXPECT_EQ(id->subject, "CN=ci,O=Example");
}

TEST(PeerIdentityTest, NoSanMeansSubjectOnly) {
  auto id = PeerIdentityFromPem(MakeCert("/O=Example/OU=Build/CN=ra", ""));
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(id->uri_sans.empty());
  EXPECT_TRUE(id->dns_sans.empty());
  EXPECT_EQ(id->subject, "CN=ra,OU=Build,O=Example");
}

TEST(PeerIdentityTest, GarbageIsUnauthenticated) {
  EXPECT_EQ(PeerIdentityFromPem("").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(PeerIdentityFromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                .status().code(),
            StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace pki::signer
