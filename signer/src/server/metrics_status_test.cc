#include "server/metrics_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pki::signer {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TokenStatus Token(const std::string& label, bool healthy, const std::string& error = "",
                  const std::string& reason = "", int64_t since = 0) {
  TokenStatus t;
  t.uri = "pkcs11:model=SoftHSM%20v2;serial=1;token=" + label;
  t.healthy = healthy;
  t.last_error = error;
  t.reason = reason;
  t.since_unix = since;
  return t;
}

TEST(RenderStatusJsonTest, ShowsEverySectionAndEscapesWhatATokenMayHold) {
  StatusInputs in;
  in.listen = "127.0.0.1:4443";
  in.started_unix = 1764000000;  // 2025-11-24T16:00:00Z
  in.now_unix = 1764000600;
  in.tokens = {Token("a", true, "token a: C_Sign: CKR_DEVICE_ERROR", "device", in.started_unix),
               Token("b\"\n\x80", false, "token b: C_Sign: CKR_DEVICE_ERROR", "device", in.started_unix + 61)};
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
  // since and reason are the pool's, as recorded at the transition.
  EXPECT_THAT(j, HasSubstr("\"state\": \"out-of-rotation\", \"since\": \"2025-11-24T16:01:01Z\", \"reason\": \"device\""));
  // A token back in rotation shows no reason, whatever it last failed with.
  EXPECT_THAT(j, HasSubstr("\"state\": \"in-rotation\", \"since\": \"2025-11-24T16:00:00Z\", \"reason\": \"\""));
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
