#include "server/metrics_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pki::signer {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ReasonClassTest, MapsTheTokensLastErrorToAStableClass) {
  EXPECT_EQ(ReasonClass("token a: C_Sign: CKR_DEVICE_ERROR"), "device");
  EXPECT_EQ(ReasonClass("token a: C_CloseAllSessions: CKR_DEVICE_REMOVED"), "device");
  EXPECT_EQ(ReasonClass("token a: C_OpenSession: CKR_TOKEN_NOT_PRESENT"), "device");
  EXPECT_EQ(ReasonClass("token a: C_Sign: CKR_USER_NOT_LOGGED_IN"), "login");
  EXPECT_EQ(ReasonClass("token a: C_Login: CKR_PIN_INCORRECT"), "login");
  EXPECT_EQ(ReasonClass("token a: C_Sign: CKR_SESSION_HANDLE_INVALID"), "session");
  EXPECT_EQ(ReasonClass("token a: C_Sign did not return by the deadline"), "timeout");
  EXPECT_EQ(ReasonClass("token a: C_Sign: CKR_FUNCTION_FAILED"), "other");
  EXPECT_EQ(ReasonClass(""), "other");
}

TokenStatus Token(const std::string& label, bool healthy, const std::string& error = "") {
  TokenStatus t;
  t.uri = "pkcs11:model=SoftHSM%20v2;serial=1;token=" + label;
  t.healthy = healthy;
  t.last_error = error;
  return t;
}

TEST(TokenTrackerTest, SinceMovesOnlyOnATransitionAndKeepsTheReasonThatTookItOut) {
  TokenTracker tracker;
  auto s = tracker.Observe({Token("a", true)}, 100);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_TRUE(s[0].in_rotation);
  EXPECT_EQ(s[0].since_unix, 100);
  EXPECT_EQ(tracker.Observe({Token("a", true)}, 200)[0].since_unix, 100);

  s = tracker.Observe({Token("a", false, "token a: C_Sign: CKR_DEVICE_ERROR")}, 300);
  EXPECT_FALSE(s[0].in_rotation);
  EXPECT_EQ(s[0].since_unix, 300);
  EXPECT_EQ(s[0].reason, "device");
  // Later failures (re-initialization attempts) do not move "since" or the reason.
  s = tracker.Observe({Token("a", false, "token a: C_OpenSession: CKR_FUNCTION_FAILED")}, 400);
  EXPECT_EQ(s[0].since_unix, 300);
  EXPECT_EQ(s[0].reason, "device");

  s = tracker.Observe({Token("a", true, "token a: C_OpenSession: CKR_FUNCTION_FAILED")}, 500);
  EXPECT_TRUE(s[0].in_rotation);
  EXPECT_EQ(s[0].since_unix, 500);
  EXPECT_EQ(s[0].reason, "");
}

TEST(RenderStatusJsonTest, ShowsEverySectionAndEscapesWhatATokenMayHold) {
  StatusInputs in;
  in.listen = "127.0.0.1:4443";
  in.started_unix = 1764000000;  // 2025-11-24T16:00:00Z
  in.now_unix = 1764000600;
  in.tokens = {Token("a", true), Token("b\"\n\x80", false, "token b: C_Sign: CKR_DEVICE_ERROR")};
  TokenTracker tracker;
  in.token_states = tracker.Observe(in.tokens, in.started_unix);
  KeyVersionInfo v1;
  v1.key_name = "release";
  v1.version = 1;
  v1.health = KeyHealth::kDegraded;
  v1.replicas_total = 2;
  v1.replicas_healthy = 1;
  KeyVersionInfo v2 = v1;
  v2.version = 2;
  in.keys = {v1, v2};
  in.primary_versions["release"] = 2;
  in.replicas[{"release", 1}] = {{in.tokens[0].uri, true}, {in.tokens[1].uri, false}};
  in.audit_last_seq = 42;
  in.audit_healthy = true;
  in.crls = {{"/etc/signerd/ca.crl", "CN=CA", in.now_unix - 1, 3}, {"/etc/signerd/b.crl", "CN=B", 0, 0}};

  const std::string j = RenderStatusJson(in);
  EXPECT_THAT(j, HasSubstr("\"schema\": \"signerd-status/1\""));
  EXPECT_THAT(j, HasSubstr("\"started\": \"2025-11-24T16:00:00Z\""));
  EXPECT_THAT(j, HasSubstr("\"audit\": {\"healthy\": true, \"last_seq\": 42}"));
  EXPECT_THAT(j, HasSubstr("\"label\": \"a\""));
  EXPECT_THAT(j, HasSubstr("\"label\": \"b\\\"\\u000a\\u0080\""));  // decoded from the URI, then escaped
  EXPECT_THAT(j, HasSubstr("\"state\": \"out-of-rotation\", \"since\": \"2025-11-24T16:00:00Z\", \"reason\": \"device\""));
  EXPECT_THAT(j, HasSubstr("\"name\": \"release\", \"version\": 1, \"primary\": false"));
  EXPECT_THAT(j, HasSubstr("\"name\": \"release\", \"version\": 2, \"primary\": true"));
  EXPECT_THAT(j, HasSubstr("\"health\": \"degraded\", \"replicas_healthy\": 1, \"replicas_total\": 2"));
  EXPECT_THAT(j, HasSubstr("\"label\": \"b\\\"\\u000a\\u0080\", \"in_rotation\": false}]"));
  EXPECT_THAT(j, HasSubstr("\"file\": \"/etc/signerd/ca.crl\", \"issuer\": \"CN=CA\", \"next_update\": "
                           "\"2025-11-24T16:09:59Z\", \"stale\": true, \"revoked\": 3"));
  EXPECT_THAT(j, HasSubstr("\"next_update\": \"\", \"stale\": false"));  // no nextUpdate never goes stale
  // Valid JSON text: no raw control byte or non-ASCII byte inside.
  for (char c : j) {
    EXPECT_TRUE(c == '\n' || (c >= 0x20 && c < 0x7f)) << static_cast<int>(static_cast<unsigned char>(c));
  }
  // An empty daemon still renders every section.
  const std::string empty = RenderStatusJson(StatusInputs{});
  EXPECT_THAT(empty, HasSubstr("\"tokens\": [],"));
  EXPECT_THAT(empty, HasSubstr("\"keys\": [],"));
  EXPECT_THAT(empty, HasSubstr("\"client_crls\": []\n}"));
  EXPECT_THAT(empty, Not(HasSubstr("null")));
}

}  // namespace
}  // namespace pki::signer
