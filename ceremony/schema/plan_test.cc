#include "ceremony/schema/plan.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/file.h"

namespace pki::ceremony {
namespace {

// PKI_SOURCE_DIR from CTest, else the source folder compiled in (the
// shared helper passes only the first of its ENVIRONMENT entries).
const char* CeremonySourceDir() {
  const char* s = std::getenv("PKI_SOURCE_DIR");
  return s != nullptr ? s : PKI_CEREMONY_SOURCE_DIR;
}

TEST(PlanTest, SignIntermediatePlanNamesEveryStepInOrder) {
  const char* src = CeremonySourceDir();
  ASSERT_NE(src, nullptr);
  auto text = ReadFile(std::string(src) + "/ceremony/scripts/sign-intermediate.textproto");
  ASSERT_TRUE(text.ok());
  auto script = Script::Parse(*text, nullptr);
  ASSERT_TRUE(script.ok()) << script.status().message();
  const std::string plan = RenderPlan(**script);
  EXPECT_NE(plan.find("Ceremony: sign-intermediate\n"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Custodians (quorum 2 of 3): #1 Carla Custodian #2 Dmitri Custodian #3 Eun-ji Custodian"),
            std::string::npos) << plan;
  EXPECT_NE(plan.find("sign CSR in/issuing.csr with root key 'root-2026' under profile 'issuing-tls' (1095 days, pathLen 0)"),
            std::string::npos) << plan;
  // Steps appear in script order, numbered, with their lines.
  const size_t attendance = plan.find("1. attendance (line ");
  const size_t execute = plan.find("6. sign-execute (line ");
  const size_t crl = plan.find("7. crl (line ");
  ASSERT_NE(attendance, std::string::npos) << plan;
  ASSERT_NE(execute, std::string::npos) << plan;
  ASSERT_NE(crl, std::string::npos) << plan;
  EXPECT_LT(attendance, execute);
  EXPECT_LT(execute, crl);
  EXPECT_NE(plan.find("IRREVERSIBLE: execute 'sign'"), std::string::npos);
  EXPECT_NE(plan.find("Dry run: nothing was sent"), std::string::npos);
}

}  // namespace
}  // namespace pki::ceremony
