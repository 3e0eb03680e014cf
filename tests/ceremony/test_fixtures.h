// test_fixtures.h — what the ceremony tests share: the source folder (for the
// shipped scripts) and the demo team's answers files.
#ifndef PKI_TESTS_CEREMONY_TEST_FIXTURES_H_
#define PKI_TESTS_CEREMONY_TEST_FIXTURES_H_

#include <cstdlib>

namespace pki::ceremony {

// CeremonySourceDir returns the repository root (PKI_SOURCE_DIR, set for
// every pki_cc_test).
inline const char* CeremonySourceDir() {
  const char* s = std::getenv("PKI_SOURCE_DIR");
  return s != nullptr ? s : "";
}

// Everyone present; custodians also name their new passphrase files.
inline constexpr char kAllPresent[] = R"pb(
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian"
present: "Eun-ji Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.pass" new_passphrase_file: "carla.pass" }
custodians { name: "Dmitri Custodian" passphrase_file: "dmitri.pass" new_passphrase_file: "dmitri.pass" }
custodians { name: "Eun-ji Custodian" passphrase_file: "eunji.pass" new_passphrase_file: "eunji.pass" }
)pb";

// Eun-ji is absent (the quarterly scripts allow it): Carla and Dmitri make 2 of 3.
inline constexpr char kTwoCustodians[] = R"pb(
present: "Avery Admin" present: "Carla Custodian" present: "Dmitri Custodian" present: "Wanda Witness"
custodians { name: "Carla Custodian" passphrase_file: "carla.pass" }
custodians { name: "Dmitri Custodian" passphrase_file: "dmitri.pass" }
)pb";

}  // namespace pki::ceremony

#endif  // PKI_TESTS_CEREMONY_TEST_FIXTURES_H_
