#include "policy/policy.h"

#include <gtest/gtest.h>

namespace pki::signer {
namespace {

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_.push_back(KeyConfig{"release", KeyPurpose::kArtifactSigning, 1, {}});
    keys_.push_back(KeyConfig{"nightly", KeyPurpose::kArtifactSigning, 1, {}});
    keys_.push_back(KeyConfig{"issuing", KeyPurpose::kCertificateIssuance, 1, {}});
    ClientPolicy ci;
    ci.name = "ci";
    ci.kind = IdentityKind::kUriSan;
    ci.identity = "spiffe://example.org/ci";
    ci.keys = {{"release", true, true}, {"nightly", false, true}, {"issuing", false, true}};
    ci.requests_per_second = 1;
    ci.burst = 2;
    ClientPolicy ra;
    ra.name = "ra";
    ra.kind = IdentityKind::kSubject;
    ra.identity = "CN=ra,O=Example";
    ra.keys = {{"issuing", false, true}};
    ClientPolicy dns;
    dns.name = "builder";
    dns.kind = IdentityKind::kDnsSan;
    dns.identity = "builder.example.org";
    dns.keys = {{"nightly", true, false}};
    config_.clients = {ci, ra, dns};
    auto p = Policy::Create(config_, keys_);
    ASSERT_TRUE(p.ok()) << p.status().message();
    policy_ = std::move(p).value();
  }

  const ClientPolicy& Client(const PeerIdentity& peer) {
    auto c = policy_->Identify(peer);
    PKI_CHECK(c.ok());
    return **c;
  }

  std::vector<KeyConfig> keys_;
  PolicyConfig config_;
  std::unique_ptr<Policy> policy_;
};

TEST_F(PolicyTest, IdentifiesByUriSanDnsSanOrSubject) {
  EXPECT_EQ(Client({{"spiffe://example.org/ci"}, {}, "CN=whatever"}).name, "ci");
  EXPECT_EQ(Client({{}, {}, "CN=ra,O=Example"}).name, "ra");
  EXPECT_EQ(Client({{}, {"other.example.org", "builder.example.org"}, ""}).name, "builder");
  // Near misses are strangers.
  for (const PeerIdentity& p : {PeerIdentity{{"spiffe://example.org/ci/x"}, {}, ""},
                                PeerIdentity{{}, {"builder.example.org."}, ""},
                                PeerIdentity{{}, {}, "CN=ra,O=Example2"},
                                PeerIdentity{{"builder.example.org"}, {}, ""},
                                PeerIdentity{}}) {
    auto c = policy_->Identify(p);
    EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
  }
}

TEST_F(PolicyTest, UnknownAndHiddenKeysLookTheSame) {
  const ClientPolicy& ra = Client({{}, {}, "CN=ra,O=Example"});
  Status missing = policy_->Authorize(ra, "no-such-key", Operation::kGetPublicKey);
  Status hidden = policy_->Authorize(ra, "release", Operation::kGetPublicKey);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(hidden.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), hidden.message());
  EXPECT_EQ(policy_->Authorize(ra, "release", Operation::kSign).message(), missing.message());
}

TEST_F(PolicyTest, VisibleKeyForbiddenOperationIsPermissionDenied) {
  const ClientPolicy& ci = Client({{"spiffe://example.org/ci"}, {}, ""});
  EXPECT_TRUE(policy_->Authorize(ci, "release", Operation::kSign).ok());
  EXPECT_TRUE(policy_->Authorize(ci, "release", Operation::kGetPublicKey).ok());
  EXPECT_EQ(policy_->Authorize(ci, "nightly", Operation::kSign).code(), StatusCode::kPermissionDenied);
  const ClientPolicy& b = Client({{}, {"builder.example.org"}, ""});
  EXPECT_TRUE(policy_->Authorize(b, "nightly", Operation::kSign).ok());
  EXPECT_EQ(policy_->Authorize(b, "nightly", Operation::kGetPublicKey).code(),
            StatusCode::kPermissionDenied);
}

TEST_F(PolicyTest, IssuingKeyNeverSignsRawEvenIfGranted) {
  // Create refuses the grant...
  PolicyConfig bad = config_;
  bad.clients[1].keys[0].sign = true;
  EXPECT_EQ(Policy::Create(bad, keys_).status().code(), StatusCode::kInvalidArgument);
  // ...and Authorize refuses the operation on its own, whatever the grant.
  const ClientPolicy& ci = Client({{"spiffe://example.org/ci"}, {}, ""});
  Status s = policy_->Authorize(ci, "issuing", Operation::kSign);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(policy_->Authorize(ci, "issuing", Operation::kGetPublicKey).ok());
}

TEST_F(PolicyTest, CreateRefusesGrantOnUnknownKey) {
  PolicyConfig bad = config_;
  bad.clients[0].keys.push_back({"ghost", false, true});
  auto p = Policy::Create(bad, keys_);
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(p.status().message()).find("ghost"), std::string::npos);
}

TEST_F(PolicyTest, RateLimitPerClientWithRetryAfter) {
  const ClientPolicy& ci = Client({{"spiffe://example.org/ci"}, {}, ""});
  const ClientPolicy& ra = Client({{}, {}, "CN=ra,O=Example"});
  const auto t0 = std::chrono::steady_clock::now();
  std::chrono::milliseconds retry{0};
  EXPECT_TRUE(policy_->Admit(ci, t0, &retry).ok());
  EXPECT_TRUE(policy_->Admit(ci, t0, &retry).ok());
  Status s = policy_->Admit(ci, t0, &retry);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(retry, std::chrono::milliseconds(1000));
  // Another client has its own bucket (ra is unlimited).
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(policy_->Admit(ra, t0, &retry).ok());
  EXPECT_TRUE(policy_->Admit(ci, t0 + std::chrono::seconds(1), &retry).ok());
}

}  // namespace
}  // namespace pki::signer

namespace pki::signer {
namespace {

// Issue grants: only the listed profiles; unknown profiles are NOT_FOUND,
// known but ungranted ones PERMISSION_DENIED naming the profile.
TEST(PolicyIssueTest, IssueGrantsAndAllowlists) {
  std::vector<KeyConfig> keys = {KeyConfig{"issuing", KeyPurpose::kCertificateIssuance, 1, {}}};
  const std::vector<Profile> profiles = DefaultProfiles("issuing");
  ClientPolicy ra;
  ra.name = "ra";
  ra.kind = IdentityKind::kSubject;
  ra.identity = "CN=ra";
  ra.issue_profiles = {"tls-server", "spiffe-workload"};
  ra.allowlist.dns_suffixes = {"example.com"};
  ra.allowlist.ip_cidrs = {"10.0.0.0/8"};
  ra.allowlist.spiffe_trust_domain = "prod.example.org";
  ra.allowlist.spiffe_path_prefixes = {"/ns/payments"};
  ClientPolicy other;
  other.name = "other";
  other.kind = IdentityKind::kSubject;
  other.identity = "CN=other";
  PolicyConfig config;
  config.clients = {ra, other};
  auto policy = Policy::Create(config, keys, profiles);
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  const ClientPolicy& c_ra = (*policy)->config().clients[0];
  const ClientPolicy& c_other = (*policy)->config().clients[1];
  EXPECT_TRUE((*policy)->AuthorizeIssue(c_ra, "tls-server").ok());
  EXPECT_TRUE((*policy)->AuthorizeIssue(c_ra, "spiffe-workload").ok());
  Status denied = (*policy)->AuthorizeIssue(c_ra, "code-signing");
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("code-signing"), std::string_view::npos);
  EXPECT_EQ((*policy)->AuthorizeIssue(c_other, "tls-server").code(), StatusCode::kPermissionDenied);
  Status unknown = (*policy)->AuthorizeIssue(c_ra, "no-such-profile");
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.message(), kProfileNotFoundMessage);
  EXPECT_EQ(c_ra.allowlist.dns_suffixes, std::vector<std::string>{"example.com"});

  // A grant on an unknown profile, or a bad allowlist, stops Create.
  PolicyConfig bad = config;
  bad.clients[1].issue_profiles = {"tls-serverx"};
  auto p1 = Policy::Create(bad, keys, profiles);
  EXPECT_EQ(p1.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p1.status().message().find("tls-serverx"), std::string_view::npos);
  bad = config;
  bad.clients[0].allowlist.ip_cidrs = {"10.0.0.0/33"};
  auto p2 = Policy::Create(bad, keys, profiles);
  EXPECT_EQ(p2.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p2.status().message().find("client 'ra'"), std::string_view::npos);
  bad = config;
  bad.clients[0].allowlist.spiffe_path_prefixes = {"ns/payments"};
  EXPECT_EQ(Policy::Create(bad, keys, profiles).status().code(), StatusCode::kInvalidArgument);
  // Without profiles every issue grant is unknown.
  EXPECT_EQ(Policy::Create(config, keys).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::signer
