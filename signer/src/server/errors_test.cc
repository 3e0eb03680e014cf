#include "server/errors.h"

#include <grpcpp/support/error_details.h>

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace pki::signer {
namespace {

struct Decoded {
  google::rpc::Status status;
  google::rpc::ErrorInfo info;
  google::rpc::RetryInfo retry;
  bool has_retry = false;
};

Decoded Decode(const grpc::Status& s) {
  Decoded d;
  EXPECT_TRUE(grpc::ExtractErrorDetails(s, &d.status).ok());
  for (const auto& any : d.status.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) {
      EXPECT_TRUE(any.UnpackTo(&d.info));
    }
    if (any.Is<google::rpc::RetryInfo>()) d.has_retry = any.UnpackTo(&d.retry);
  }
  return d;
}

TEST(ErrorsTest, CodeReasonDomainInDetails) {
  grpc::Status s = ToGrpcStatus(MakeError(NotFoundError("key not found"), "KEY_NOT_FOUND"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "key not found");
  Decoded d = Decode(s);
  EXPECT_EQ(d.status.code(), 5);
  EXPECT_EQ(d.status.message(), "key not found");
  EXPECT_EQ(d.info.reason(), "KEY_NOT_FOUND");
  EXPECT_EQ(d.info.domain(), "signer.pki");
  EXPECT_FALSE(d.has_retry);
}

TEST(ErrorsTest, RetryInfoWhereARetryHelps) {
  Decoded rl = Decode(ToGrpcStatus(MakeError(ResourceExhaustedError("slow down"), "RATE_LIMITED",
                                             std::chrono::milliseconds(1250))));
  ASSERT_TRUE(rl.has_retry);
  EXPECT_EQ(rl.retry.retry_delay().seconds(), 1);
  EXPECT_EQ(rl.retry.retry_delay().nanos(), 250000000);
  EXPECT_EQ(rl.info.reason(), "RATE_LIMITED");
  Decoded un = Decode(ToGrpcStatus(MakeError(UnavailableError("x"))));
  ASSERT_TRUE(un.has_retry);
  EXPECT_EQ(un.retry.retry_delay().seconds(), 1);
  EXPECT_FALSE(Decode(ToGrpcStatus(MakeError(InvalidArgumentError("x")))).has_retry);
}

TEST(ErrorsTest, PoolErrorsAreSanitized) {
  const Status raw = UnavailableError("C_Sign: CKR_DEVICE_ERROR on pkcs11:token=signer-a slot 3");
  grpc::Status s = ToGrpcStatus(FromPool(raw));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(s.error_message().find("CKR"), std::string::npos);
  EXPECT_EQ(s.error_message().find("token"), std::string::npos);
  EXPECT_EQ(s.error_details().find("CKR"), std::string::npos);
  EXPECT_TRUE(Decode(s).has_retry);
  EXPECT_EQ(Decode(s).info.reason(), "KEY_UNAVAILABLE");
  grpc::Status nf = ToGrpcStatus(FromPool(NotFoundError("object=secret-key-name not on token")));
  EXPECT_EQ(nf.error_message(), "key not found");
  grpc::Status internal = ToGrpcStatus(MakeError(InternalError("CKR_GENERAL_ERROR at pool.cc:123")));
  EXPECT_EQ(internal.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(internal.error_message(), "internal error");
  EXPECT_EQ(internal.error_details().find("CKR"), std::string::npos);
}

TEST(ErrorsTest, EveryCodeHasItsOwnReasonAndOnlyInternalOnesSayInternal) {
  EXPECT_EQ(Decode(ToGrpcStatus(MakeError(AlreadyExistsError("request id already used")))).info.reason(),
            "REQUEST_ID_REUSED");
  Decoded aborted = Decode(ToGrpcStatus(MakeError(AbortedError("the same request id is being issued now"))));
  EXPECT_EQ(aborted.info.reason(), "REQUEST_IN_PROGRESS");
  EXPECT_EQ(aborted.status.message(), "the same request id is being issued now");  // not replaced
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<StatusCode>(c);
    const std::string_view reason = DefaultReason(code);
    EXPECT_FALSE(reason.empty()) << StatusCodeName(code);
    if (code != StatusCode::kInternal && code != StatusCode::kUnknown) {
      EXPECT_NE(reason, "INTERNAL") << StatusCodeName(code) << " has no reason of its own";
    }
  }
}

TEST(ErrorsTest, OkIsOk) { EXPECT_TRUE(ToGrpcStatus(MakeError(OkStatus())).ok()); }

}  // namespace
}  // namespace pki::signer
