// signerd under kill -9: several mutual-TLS clients sign concurrently while
// signerd (SoftHSMv2 token, real config) is killed at seeded random points
// and restarted. Every signature a client received must verify with the key's
// public key and have its record (same sequence number as the audit id the
// client got, same input digest, outcome OK) in the audit log; `signerctl
// audit verify` must pass after each crash; signerd must serve again after
// each restart and continue the chain (no audit id handed out twice).
//
// Also: a torn last record (the file cut mid-record, as a power cut leaves
// it) is reported by `audit verify`, cut off (and said so on stderr) when
// signerd reopens the log, and caught by the shutdown anchor when it took
// acknowledged records with it.
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client_channel.h"
#include "common/ossl.h"
#include "signer/v1/signer.grpc.pb.h"
#include "signerd_harness.h"

namespace pki::signer {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::AuditRecordLines;
using testing::CommandResult;
using testing::ReadText;
using testing::SignerdStream;

std::string Sha256Of(const std::string& data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string Hex(const std::string& bytes) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(k[c >> 4]);
    out.push_back(k[c & 15]);
  }
  return out;
}

struct Received {
  std::string digest;     // the 32 bytes signed
  std::string signature;  // DER ECDSA
  std::string audit_id;   // "<gen>:<seq>"
  std::string request_id;
};

class SignerCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SignerdSetup setup;
    setup.tokens = {"rel-a"};
    setup.sessions_per_token = 4;
    auto harness = testing::SignerdHarness::Create(setup);
    ASSERT_TRUE(harness.ok()) << harness.status().message();
    fx_ = std::move(*harness);
    tls_.ca_file = fx_->pki().ca_file;
    tls_.cert_file = fx_->pki().ci.cert_file;
    tls_.key_file = fx_->pki().ci.key_file;
    tls_.server_name = "localhost";
  }

  std::unique_ptr<v1::Signer::Stub> Stub(const std::string& addr) {
    auto ch = MakeChannel(addr, tls_);
    PKI_CHECK(ch.ok());
    return v1::Signer::NewStub(*ch);
  }

  // SignOnce signs sha256(|text|); returns the gRPC status.
  grpc::Status SignOnce(v1::Signer::Stub& stub, const std::string& text, Received* got) {
    v1::SignRequest req;
    req.set_key_name("release");
    req.set_algorithm(v1::ECDSA_P256_SHA256);
    req.set_request_id(text);
    got->digest = Sha256Of(text);
    got->request_id = text;
    req.mutable_digest()->set_sha256(got->digest);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::SignResponse resp;
    grpc::Status s = stub.Sign(&ctx, req, &resp);
    got->signature = resp.signature();
    got->audit_id = resp.audit_id();
    return s;
  }

  OsslPtr<EVP_PKEY> PublicKey(const std::string& addr) {
    auto stub = Stub(addr);
    v1::GetPublicKeyRequest req;
    req.set_key_name("release");
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetPublicKeyResponse resp;
    grpc::Status s = stub->GetPublicKey(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    const unsigned char* p = reinterpret_cast<const unsigned char*>(resp.spki_der().data());
    return OsslPtr<EVP_PKEY>(d2i_PUBKEY(nullptr, &p, static_cast<long>(resp.spki_der().size())));
  }

  static bool Verifies(EVP_PKEY* key, const Received& r) {
    OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key, nullptr));
    return ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
           EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(r.signature.data()), r.signature.size(),
                           reinterpret_cast<const unsigned char*>(r.digest.data()), r.digest.size()) == 1;
  }

  // CheckAudited asserts every received signature has its record.
  void CheckAudited(const std::vector<Received>& got) {
    const auto lines = AuditRecordLines(fx_->audit_path());
    for (const Received& r : got) {
      const size_t colon = r.audit_id.find(':');
      ASSERT_NE(colon, std::string::npos) << r.audit_id;
      const uint64_t seq = std::stoull(r.audit_id.substr(colon + 1));
      auto it = lines.find(seq);
      ASSERT_NE(it, lines.end()) << "signature " << r.request_id << " (audit id " << r.audit_id
                                 << ") was received but its record is not in the log";
      EXPECT_THAT(it->second, HasSubstr("\"request_id\":\"" + r.request_id + "\""));
      EXPECT_THAT(it->second, HasSubstr("\"input_sha256\":\"" + Hex(Sha256Of(r.digest)) + "\""));
      EXPECT_THAT(it->second, HasSubstr("\"outcome\":\"OK\""));
      EXPECT_THAT(it->second, HasSubstr("\"method\":\"Sign\""));
    }
  }

  std::unique_ptr<testing::SignerdHarness> fx_;
  ClientTls tls_;
};

TEST_F(SignerCrashTest, KillNineUnderLoadLosesNoAcknowledgedSignature) {
  constexpr int kRounds = 6;
  constexpr int kClients = 4;
  const unsigned seed = 20261202;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> kill_after_ms(100, 700);
  std::vector<Received> all;
  std::set<std::string> ids;
  OsslPtr<EVP_PKEY> pub;
  int torn_seen = 0;
  for (int round = 0; round < kRounds; ++round) {
    const StatusOr<std::string> started = fx_->Start();
    ASSERT_TRUE(started.ok()) << started.status().message() << fx_->Diagnostics();
    const std::string addr = *started;
    if (!pub) pub = PublicKey(addr);
    ASSERT_TRUE(pub);
    if (round > 0) {
      // The restart after a crash cut a torn record only if one was there.
      const std::string err = fx_->process().RunOutput(SignerdStream::kStderr);
      if (err.find("cut a torn last record") != std::string::npos) ++torn_seen;
    }
    std::atomic<bool> stop{false};
    std::atomic<int> ok_count{0};
    std::mutex mu;
    std::vector<Received> got;
    std::vector<std::thread> clients;
    for (int t = 0; t < kClients; ++t) {
      clients.emplace_back([&, t] {
        auto stub = Stub(addr);
        for (int n = 0; !stop.load(); ++n) {
          Received r;
          grpc::Status s = SignOnce(*stub, "r" + std::to_string(round) + "-c" + std::to_string(t) + "-" +
                                               std::to_string(n), &r);
          if (!s.ok()) {
            if (stop.load()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
          }
          ok_count.fetch_add(1);
          std::lock_guard<std::mutex> lock(mu);
          got.push_back(std::move(r));
        }
      });
    }
    // Wait for the load to be flowing, then kill at a seeded random point.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (ok_count.load() < kClients && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(rng)));
    const bool last = round == kRounds - 1;
    std::string head_line;
    if (last) {
      // The last round ends cleanly: its shutdown line is the anchor.
      stop.store(true);
      for (auto& c : clients) c.join();
      ASSERT_EQ(fx_->Stop(), 0);
    } else {
      const Status killed = fx_->Kill9();
      stop.store(true);
      for (auto& c : clients) c.join();
      ASSERT_TRUE(killed.ok()) << killed.message();
    }
    ASSERT_GT(got.size(), 0u) << "round " << round << ": no signature before the kill";
    std::printf("round %d: %zu signatures received before %s\n", round, got.size(), last ? "SIGTERM" : "kill -9");
    for (const Received& r : got) {
      EXPECT_TRUE(Verifies(pub.get(), r)) << r.request_id;
      EXPECT_TRUE(ids.insert(r.audit_id).second) << "audit id handed out twice: " << r.audit_id;
    }
    all.insert(all.end(), got.begin(), got.end());
    // Everything received so far, this round's and the earlier ones', is in the log.
    CheckAudited(all);
    CommandResult verify = fx_->AuditVerify();
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
    EXPECT_THAT(verify.output, HasSubstr("audit log OK"));
    if (last) {
      const std::string so = fx_->process().RunOutput(SignerdStream::kStdout);
      const auto anchor = testing::LastShutdownAnchor(so);
      ASSERT_TRUE(anchor.has_value()) << so;
      verify = fx_->AuditVerify("--expect-seq " + anchor->seq + " --expect-head " + anchor->head);
      EXPECT_EQ(verify.exit_code, 0) << verify.output;
      EXPECT_GE(std::stoull(anchor->seq), all.size());
    }
  }
  std::printf("seed %u: %d rounds, %zu signatures received, all audited; torn tails cut at restart: %d\n", seed,
              kRounds, all.size(), torn_seen);
  // signerd served again after every crash: each round received signatures.
  EXPECT_THAT(ReadText(fx_->err_path()), Not(HasSubstr(testing::kUserPin)));
}

class TornTailTest : public SignerCrashTest {
 protected:
  // SignN starts signerd, signs |n| times, stops it and returns the shutdown
  // line's "seq N sha256 H" anchor as {seq, head}.
  std::pair<std::string, std::string> SignN(int n, const std::string& tag) {
    const StatusOr<std::string> addr = fx_->Start();
    EXPECT_TRUE(addr.ok()) << addr.status().message() << fx_->Diagnostics();
    if (!addr.ok()) return {};
    auto stub = Stub(*addr);
    for (int i = 0; i < n; ++i) {
      Received r;
      grpc::Status s = SignOnce(*stub, tag + std::to_string(i), &r);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    stub.reset();  // no open connection holds up the graceful stop
    EXPECT_EQ(fx_->Stop(), 0);
    const auto anchor = testing::LastShutdownAnchor(fx_->process().RunOutput(SignerdStream::kStdout));
    if (!anchor) return {};
    return {anchor->seq, anchor->head};
  }
};

TEST_F(TornTailTest, PartialLastRecordIsReportedThenCutAtStartAndNeverAccepted) {
  const auto [seq, head] = SignN(3, "torn-");
  ASSERT_EQ(seq, "3");
  // A power cut mid-write leaves the first part of record 4 without its newline.
  const auto lines = AuditRecordLines(fx_->audit_path());
  const std::string partial = lines.at(3).substr(0, lines.at(3).size() / 2);
  {
    FILE* f = std::fopen(fx_->audit_path().c_str(), "a");
    ASSERT_NE(f, nullptr);
    std::fwrite(partial.data(), 1, partial.size(), f);
    std::fclose(f);
  }
  // verify: the complete records check out, the torn one is named (not counted).
  CommandResult verify = fx_->AuditVerify("--expect-seq 3 --expect-head " + head);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr("records 1..3"));
  EXPECT_THAT(verify.output, HasSubstr("note: torn last record at " + fx_->audit_path() + ":4"));
  // signerd cuts it at start, says so, and continues the chain at seq 4.
  const StatusOr<std::string> addr = fx_->Start();
  ASSERT_TRUE(addr.ok()) << addr.status().message() << fx_->Diagnostics();
  EXPECT_THAT(fx_->process().RunOutput(SignerdStream::kStderr),
              HasSubstr("audit log: cut a torn last record (" + std::to_string(partial.size()) + " bytes"));
  Received r;
  auto stub = Stub(*addr);
  ASSERT_TRUE(SignOnce(*stub, "after-torn", &r).ok());
  EXPECT_EQ(r.audit_id, "1:4");
  stub.reset();
  ASSERT_EQ(fx_->Stop(), 0);
  verify = fx_->AuditVerify("--expect-seq 4");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, Not(HasSubstr("torn")));
  EXPECT_THAT(AuditRecordLines(fx_->audit_path()).at(4), HasSubstr("\"request_id\":\"after-torn\""));
  // The torn bytes are gone: they were never a record.
  EXPECT_THAT(ReadText(fx_->audit_path()), Not(HasSubstr(partial + "\n")));
}

TEST_F(TornTailTest, CutMidLogIsCaughtByTheShutdownAnchor) {
  const auto [seq, head] = SignN(5, "cut-");
  ASSERT_EQ(seq, "5");
  // Cut in the middle of record 3: records 3..5 (all acknowledged) are gone.
  const std::string text = ReadText(fx_->audit_path());
  size_t cut = 0;
  for (int i = 0; i < 2; ++i) cut = text.find('\n', cut) + 1;
  cut += 40;
  std::filesystem::resize_file(fx_->audit_path(), cut);
  // Without an anchor, the chain itself can't know: verify says 1..2 and names the torn line.
  CommandResult verify = fx_->AuditVerify();
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr("records 1..2"));
  EXPECT_THAT(verify.output, HasSubstr("torn last record at " + fx_->audit_path() + ":3"));
  // With signerd's shutdown anchor it fails, naming the gap.
  verify = fx_->AuditVerify("--expect-seq 5");
  EXPECT_NE(verify.exit_code, 0);
  EXPECT_THAT(verify.output, HasSubstr("audit log ends at seq 2, anchor says 5"));
  verify = fx_->AuditVerify("--expect-head " + head);
  EXPECT_NE(verify.exit_code, 0);
  EXPECT_THAT(verify.output, HasSubstr("does not match the anchor"));
}

TEST_F(TornTailTest, EditedRecordInTheMiddleFailsVerify) {
  const auto [seq, head] = SignN(4, "edit-");
  ASSERT_EQ(seq, "4");
  std::string text = ReadText(fx_->audit_path());
  const size_t at = text.find("\"request_id\":\"edit-1\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 22, "\"request_id\":\"edit-9\"");
  testing::WriteText(fx_->audit_path(), text, 0600);
  const CommandResult verify = fx_->AuditVerify();
  EXPECT_NE(verify.exit_code, 0);
  EXPECT_THAT(verify.output, HasSubstr("DATA_LOSS"));
  EXPECT_THAT(verify.output, HasSubstr("audit.log:3: hash chain broken"));
}

}  // namespace
}  // namespace pki::signer
