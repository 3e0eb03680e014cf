// answers_check.h — an answers file checked against the script it answers,
// before anything runs: every name must be one of the script's people in the
// right role, every step id one of its steps, and every custodian present
// must have the passphrase files the script's steps will ask for.
#ifndef PKI_CEREMONY_RUNNER_ANSWERS_CHECK_H_
#define PKI_CEREMONY_RUNNER_ANSWERS_CHECK_H_

#include <string>

#include "base/status.h"
#include "ceremony/schema/script.h"

namespace pki::ceremony {

// CheckAnswersText parses |text| (an Answers textproto) and checks it against
// |script|. INVALID_ARGUMENT naming the answers line and the problem:
//   "answers line 3: 'Mallory' is not one of script root-init's people"
//   "answers line 5: 'Wanda Witness' answers as a custodian but is the script's witness"
//   "answers line 9: step 'sign-exec' is not a step of script sign-intermediate"
//   "answers: custodian 'Carla Custodian' is present but has no passphrase_file (step crl-shares collects shares)"
Status CheckAnswersText(const std::string& text, const Script& script);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_RUNNER_ANSWERS_CHECK_H_
