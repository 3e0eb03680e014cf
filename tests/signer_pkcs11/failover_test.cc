// Integration: failover and recovery with faulty_pkcs11 in front of two real
// SoftHSMv2 replica tokens holding the same key.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "common/file.h"
#include "signer/pkcs11_pool.h"
#include "softhsm_env.h"
#include "verify.h"

namespace pki::testing {
namespace {

using namespace std::chrono_literals;
using signer::KeyConfig;
using signer::KeyVersionConfig;
using signer::Pkcs11Pool;
using signer::PoolConfig;
using signer::SignAlgorithm;

class FailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    control_ = env_.dir() + "/faults";
    setenv("FAULTY_PKCS11_TARGET", kSoftHsmModule, 1);
    setenv("FAULTY_PKCS11_CONTROL", control_.c_str(), 1);
    ASSERT_TRUE(env_.InitToken("replica-a").ok());
    ASSERT_TRUE(env_.InitToken("replica-b").ok());
    std::string pem = NewEcP256Pem();
    ASSERT_TRUE(env_.ImportEcKey("replica-a", "issuing", "\x0a\x0b\x0c\x0d", pem).ok());
    ASSERT_TRUE(env_.ImportEcKey("replica-b", "issuing", "\x0a\x0b\x0c\x0d", pem).ok());
  }

  StatusOr<std::unique_ptr<Pkcs11Pool>> MakePool(std::vector<std::string> tokens,
                                                 uint32_t sessions = 4) {
    PoolConfig config = env_.Config(FAULTY_PKCS11_PATH, tokens);
    KeyConfig key;
    key.name = "issuing";
    KeyVersionConfig v;
    v.version = 1;
    for (const std::string& t : tokens) {
      v.replica_uris.push_back("pkcs11:token=" + t + ";object=issuing;type=private");
    }
    key.versions.push_back(v);
    config.keys.push_back(key);
    config.sessions_per_token = sessions;
    config.session_wait = 1000ms;
    config.probe_interval = 100ms;
    config.reinit_backoff_max = 200ms;
    return signer::CreatePkcs11PoolWithStatus(config);
  }

  void SetFaults(const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic(control_, AsBytes(text), 0600).ok());
  }

  static signer::TokenStatus TokenNamed(Pkcs11Pool& pool, const std::string& label) {
    for (const signer::TokenStatus& t : pool.Tokens()) {
      if (t.uri.find("token=" + label) != std::string::npos) return t;
    }
    ADD_FAILURE() << "no token " << label;
    return {};
  }

  // WaitHealthy waits up to |limit| for |label| to be back in rotation.
  static bool WaitHealthy(Pkcs11Pool& pool, const std::string& label,
                          std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (TokenNamed(pool, label).healthy) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  std::string Sign(Pkcs11Pool& pool, StatusCode* code, std::chrono::milliseconds deadline = 3000ms) {
    std::string digest = Digest(SignAlgorithm::kEcdsaP256Sha256, "payload");
    std::string detail;
    auto r = pool.Sign("issuing", 0, SignAlgorithm::kEcdsaP256Sha256, AsBytes(digest), deadline, &detail);
    *code = r.status().code();
    if (!r.ok()) {
      // Clients never see CKR names; the detail carries them.
      EXPECT_EQ(r.status().message().find("CKR_"), std::string_view::npos) << r.status().message();
      return detail;
    }
    EXPECT_TRUE(VerifySignature(pool.Describe("issuing", 0)->spki_der,
                                SignAlgorithm::kEcdsaP256Sha256, "payload", r->signature));
    return r->replica;
  }

  SoftHsmEnv env_;
  std::string control_;
};

TEST_F(FailoverTest, OneReplicaFailsMidLoadWithZeroFailedRequestsAndRejoins) {
  auto pool = MakePool({"replica-a", "replica-b"});
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        StatusCode code;
        std::string what = Sign(**pool, &code);
        if (code == StatusCode::kOk) {
          ok.fetch_add(1);
        } else {
          failed.fetch_add(1);
          ADD_FAILURE() << StatusCodeName(code) << " " << what;
        }
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  uint64_t a_before = TokenNamed(**pool, "replica-a").signatures;
  EXPECT_GT(a_before, 0u) << "load was not spread over both replicas";
  SetFaults("token=replica-a\nsign=CKR_DEVICE_ERROR\n");
  std::this_thread::sleep_for(400ms);
  EXPECT_FALSE(TokenNamed(**pool, "replica-a").healthy);
  EXPECT_EQ(pool->get()->Describe("issuing", 0)->health, signer::KeyHealth::kDegraded);
  SetFaults("");
  EXPECT_TRUE(WaitHealthy(**pool, "replica-a", 3000ms));
  uint64_t a_rejoined = TokenNamed(**pool, "replica-a").signatures;
  std::this_thread::sleep_for(300ms);
  stop.store(true);
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 10);  // few under ASan with the slow unwinder
  signer::TokenStatus a = TokenNamed(**pool, "replica-a");
  signer::TokenStatus b = TokenNamed(**pool, "replica-b");
  std::printf("failover figure: %d signatures by 4 threads, %d failed; replica-a signed %llu "
              "(%llu before the fault, %llu after rejoining), replica-b %llu; a re-initialized %llu time(s)\n",
              ok.load(), failed.load(), static_cast<unsigned long long>(a.signatures),
              static_cast<unsigned long long>(a_before),
              static_cast<unsigned long long>(a.signatures - a_rejoined),
              static_cast<unsigned long long>(b.signatures),
              static_cast<unsigned long long>(a.reinitializations));
  EXPECT_GT(a.signatures, a_rejoined) << "replica-a did not serve after rejoining";
  EXPECT_GE(a.reinitializations, 1u);
  EXPECT_NE(a.last_error.find("CKR_DEVICE_ERROR"), std::string::npos) << a.last_error;
  EXPECT_EQ(pool->get()->Describe("issuing", 0)->health, signer::KeyHealth::kEnabled);
}

TEST_F(FailoverTest, DeviceRemovedOnEveryCallStillServesFromTheOtherReplica) {
  auto pool = MakePool({"replica-a", "replica-b"});
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  SetFaults("token=replica-a\nall=CKR_DEVICE_REMOVED\n");
  for (int i = 0; i < 20; ++i) {
    StatusCode code;
    std::string replica = Sign(**pool, &code);
    ASSERT_EQ(code, StatusCode::kOk) << replica;
    EXPECT_NE(replica.find("token=replica-b"), std::string::npos);
  }
  std::this_thread::sleep_for(300ms);  // several failed re-initializations
  EXPECT_FALSE(TokenNamed(**pool, "replica-a").healthy);
  SetFaults("");
  EXPECT_TRUE(WaitHealthy(**pool, "replica-a", 3000ms));
}

TEST_F(FailoverTest, ReplicasNamesEachTokenOfAKeyVersionAndWhetherItIsInRotation) {
  auto pool = MakePool({"replica-a", "replica-b"});
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  auto replicas = pool->get()->Replicas("issuing", 0);
  ASSERT_TRUE(replicas.ok()) << replicas.status().message();
  ASSERT_EQ(replicas->size(), 2u);
  EXPECT_EQ((*replicas)[0].token_uri, TokenNamed(**pool, "replica-a").uri);  // configuration order
  EXPECT_EQ((*replicas)[1].token_uri, TokenNamed(**pool, "replica-b").uri);
  EXPECT_TRUE((*replicas)[0].in_rotation);
  EXPECT_TRUE((*replicas)[1].in_rotation);
  EXPECT_EQ(pool->get()->Replicas("issuing", 1)->size(), 2u);
  EXPECT_EQ(pool->get()->Replicas("issuing", 7).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(pool->get()->Replicas("nope", 0).status().code(), StatusCode::kNotFound);

  SetFaults("token=replica-b\nall=CKR_DEVICE_REMOVED\n");
  auto end = std::chrono::steady_clock::now() + 3000ms;
  while (TokenNamed(**pool, "replica-b").healthy && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(20ms);
  }
  replicas = pool->get()->Replicas("issuing", 0);
  ASSERT_TRUE(replicas.ok());
  EXPECT_TRUE((*replicas)[0].in_rotation);
  EXPECT_FALSE((*replicas)[1].in_rotation) << "the probe took replica-b out";
  SetFaults("");
  EXPECT_TRUE(WaitHealthy(**pool, "replica-b", 3000ms));
  EXPECT_TRUE((*pool->get()->Replicas("issuing", 0))[1].in_rotation);
}

int64_t WallNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(FailoverTest, TheTokenStatusSaysSinceWhenAndWhyItLeftAndRejoinedRotation) {
  const int64_t started = WallNow();
  auto made = MakePool({"replica-a", "replica-b"});
  ASSERT_TRUE(made.ok()) << made.status().message();
  signer::KeyPool& pool = **made;  // the public interface, as the status page sees it
  auto named = [&](const std::string& label) {
    for (const signer::TokenStatus& t : pool.Tokens()) {
      if (t.uri.find("token=" + label) != std::string::npos) return t;
    }
    ADD_FAILURE() << "no token " << label;
    return signer::TokenStatus{};
  };
  ASSERT_EQ(pool.Tokens().size(), 2u);
  signer::TokenStatus b = named("replica-b");
  EXPECT_TRUE(b.healthy);
  EXPECT_GE(b.since_unix, started) << "in rotation since the pool started";
  EXPECT_LE(b.since_unix, WallNow());
  EXPECT_EQ(b.reason, "");

  std::this_thread::sleep_for(1100ms);  // whole seconds: the transitions get later stamps
  const int64_t before_out = WallNow();
  SetFaults("token=replica-b\nall=CKR_DEVICE_REMOVED\n");
  auto end = std::chrono::steady_clock::now() + 3000ms;
  while (named("replica-b").healthy && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(20ms);
  const signer::TokenStatus down = named("replica-b");
  ASSERT_FALSE(down.healthy);
  EXPECT_EQ(down.reason, "device") << down.last_error;
  EXPECT_GE(down.since_unix, before_out);
  EXPECT_LE(down.since_unix, WallNow());
  // Failed re-initializations meanwhile change last_error, not since or reason.
  std::this_thread::sleep_for(1100ms);
  const signer::TokenStatus still = named("replica-b");
  EXPECT_FALSE(still.healthy);
  EXPECT_EQ(still.since_unix, down.since_unix);
  EXPECT_EQ(still.reason, "device");
  EXPECT_TRUE(named("replica-a").healthy);
  EXPECT_EQ(named("replica-a").reason, "");

  SetFaults("");
  ASSERT_TRUE(WaitHealthy(**made, "replica-b", 3000ms));
  const signer::TokenStatus up = named("replica-b");
  EXPECT_GT(up.since_unix, down.since_unix) << "since is when it rejoined";
  EXPECT_EQ(up.reason, "");
  EXPECT_NE(up.last_error.find("CKR_DEVICE_REMOVED"), std::string::npos) << "the last error stays for operators";
}

TEST_F(FailoverTest, NoReplicaLeftIsUnavailableAndRecoversWithoutRestart) {
  auto pool = MakePool({"replica-a", "replica-b"});
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  SetFaults("all=CKR_TOKEN_NOT_PRESENT\n");
  StatusCode code;
  std::string detail = Sign(**pool, &code);
  EXPECT_EQ(code, StatusCode::kUnavailable);
  EXPECT_NE(detail.find("CKR_TOKEN_NOT_PRESENT"), std::string::npos) << detail;
  EXPECT_EQ(pool->get()->Describe("issuing", 0)->health, signer::KeyHealth::kUnavailable);
  Sign(**pool, &code);
  EXPECT_EQ(code, StatusCode::kUnavailable);
  SetFaults("");
  EXPECT_TRUE(WaitHealthy(**pool, "replica-a", 3000ms));
  EXPECT_TRUE(WaitHealthy(**pool, "replica-b", 3000ms));
  Sign(**pool, &code);
  EXPECT_EQ(code, StatusCode::kOk);
}

TEST_F(FailoverTest, BrokenSessionsAreClosedAndRetried) {
  auto pool = MakePool({"replica-a"});
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  SetFaults("session_invalid=3\n");
  for (int i = 0; i < 5; ++i) {
    StatusCode code;
    std::string what = Sign(**pool, &code);
    EXPECT_EQ(code, StatusCode::kOk) << what;
  }
  signer::TokenStatus a = TokenNamed(**pool, "replica-a");
  EXPECT_TRUE(a.healthy);
  EXPECT_EQ(a.failures, 3u);
  EXPECT_EQ(a.signatures, 5u);
  EXPECT_LE(a.sessions_open, 4u);
}

TEST_F(FailoverTest, LostLoginIsRestoredByLoggingInAgain) {
  auto pool = MakePool({"replica-a"});
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  SetFaults("not_logged_in=1\n");
  StatusCode code;
  std::string what = Sign(**pool, &code);
  EXPECT_EQ(code, StatusCode::kOk) << what;
  signer::TokenStatus a = TokenNamed(**pool, "replica-a");
  EXPECT_TRUE(a.healthy);
  EXPECT_NE(a.last_error.find("CKR_USER_NOT_LOGGED_IN"), std::string::npos) << a.last_error;
}

TEST_F(FailoverTest, HangBeyondTheDeadlineReturnsInTimeAndFailsOver) {
  auto pool = MakePool({"replica-a", "replica-b"});
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  SetFaults("token=replica-a\nhang_ms=1500\n");
  // Requests go to a (hanging) or b; every one returns by its deadline.
  bool saw_deadline = false;
  for (int i = 0; i < 4; ++i) {
    auto start = std::chrono::steady_clock::now();
    StatusCode code;
    std::string what = Sign(**pool, &code, 300ms);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, 700ms) << "request hung: " << what;
    EXPECT_TRUE(code == StatusCode::kOk || code == StatusCode::kDeadlineExceeded) << what;
    saw_deadline = saw_deadline || code == StatusCode::kDeadlineExceeded;
  }
  // a is out of rotation now, for a timeout: b serves.
  EXPECT_FALSE(TokenNamed(**pool, "replica-a").healthy);
  EXPECT_EQ(TokenNamed(**pool, "replica-a").reason, "timeout") << TokenNamed(**pool, "replica-a").last_error;
  StatusCode code;
  std::string replica = Sign(**pool, &code, 300ms);
  EXPECT_EQ(code, StatusCode::kOk);
  EXPECT_NE(replica.find("token=replica-b"), std::string::npos);
  EXPECT_TRUE(saw_deadline) << "no request reached the hanging replica";
  SetFaults("");
  EXPECT_TRUE(WaitHealthy(**pool, "replica-a", 5000ms));
}

TEST_F(FailoverTest, SingleHangingReplicaGivesDeadlineExceededNotAHang) {
  auto pool = MakePool({"replica-a"}, /*sessions=*/1);
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  SetFaults("hang_ms=1200\n");
  auto start = std::chrono::steady_clock::now();
  StatusCode code;
  Sign(**pool, &code, 250ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 600ms);
  EXPECT_EQ(code, StatusCode::kDeadlineExceeded);
  // The only session is still stuck: the next request cannot get one.
  start = std::chrono::steady_clock::now();
  Sign(**pool, &code, 250ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 600ms);
  EXPECT_TRUE(code == StatusCode::kUnavailable || code == StatusCode::kResourceExhausted ||
              code == StatusCode::kDeadlineExceeded)
      << StatusCodeName(code);
  SetFaults("");
}

}  // namespace
}  // namespace pki::testing
