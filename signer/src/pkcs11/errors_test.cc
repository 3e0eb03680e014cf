#include "errors.h"

#include <gtest/gtest.h>

namespace pki::signer::internal {
namespace {

TEST(ErrorsTest, ClassifiesWhatThePoolMustDo) {
  EXPECT_EQ(ClassifyRv(CKR_SESSION_HANDLE_INVALID), RvClass::kSessionBroken);
  EXPECT_EQ(ClassifyRv(CKR_SESSION_CLOSED), RvClass::kSessionBroken);
  EXPECT_EQ(ClassifyRv(CKR_USER_NOT_LOGGED_IN), RvClass::kRelogin);
  EXPECT_EQ(ClassifyRv(CKR_OBJECT_HANDLE_INVALID), RvClass::kRelogin);
  for (CK_RV rv : {CKR_DEVICE_ERROR, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_DEVICE_MEMORY,
                   CKR_GENERAL_ERROR}) {
    EXPECT_EQ(ClassifyRv(rv), RvClass::kTokenFailed) << CkrName(rv);
  }
  EXPECT_EQ(ClassifyRv(CKR_DATA_LEN_RANGE), RvClass::kBadInput);
  EXPECT_EQ(ClassifyRv(CKR_PIN_INCORRECT), RvClass::kAuth);
  EXPECT_EQ(ClassifyRv(CKR_FUNCTION_FAILED), RvClass::kOther);
}

TEST(ErrorsTest, StatusMessagesHideCkrNamesWhichGoToTheDetail) {
  std::string detail = "earlier";
  Status s = RvToStatus("C_Sign", CKR_DEVICE_ERROR, &detail);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message().find("CKR"), std::string_view::npos);
  EXPECT_EQ(detail, "earlier; C_Sign: CKR_DEVICE_ERROR");
  EXPECT_EQ(RvToStatus("x", CKR_DATA_LEN_RANGE, nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RvToStatus("x", CKR_PIN_INCORRECT, nullptr).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(RvToStatus("x", CKR_FUNCTION_FAILED, nullptr).code(), StatusCode::kInternal);
  EXPECT_EQ(CkrName(0x8000abcdUL), "CKR_0x8000abcd");
}

}  // namespace
}  // namespace pki::signer::internal
