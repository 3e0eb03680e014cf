// prompter.h — how the runner talks to the people in the room: the terminal
// (TerminalPrompter: /dev/tty, passphrases without echo) or an answers file
// for tests and rehearsals (AnswersPrompter).
#ifndef PKI_CEREMONY_RUNNER_PROMPTER_H_
#define PKI_CEREMONY_RUNNER_PROMPTER_H_

#include <optional>
#include <string>
#include <vector>

#include "base/status_or.h"
#include "common/secret_buffer.h"

namespace pki::ceremony {

class Prompter {
 public:
  virtual ~Prompter() = default;
  // Say shows |text| to the room (never a secret).
  virtual void Say(const std::string& text) = 0;
  // Attendance returns the names of everyone present, asked one by one from
  // |expected| (borrowed). CANCELLED if the room aborts.
  virtual StatusOr<std::vector<std::string>> Attendance(const std::vector<std::string>& expected) = 0;
  // Confirm asks |person| to type |phrase| exactly for |step_id|; returns
  // true if they did, false if they declined; CANCELLED on abort.
  virtual StatusOr<bool> Confirm(const std::string& step_id, const std::string& person,
                                 const std::string& question, const std::string& phrase) = 0;
  // Passphrase reads |custodian|'s passphrase (twice, compared, if |new_one|).
  // The caller owns the returned secret. NOT_FOUND if no passphrase is
  // available for them, INVALID_ARGUMENT if the two entries differ.
  virtual StatusOr<SecretBuffer> Passphrase(const std::string& custodian, bool new_one) = 0;
  // ConfirmPassphrase reads |custodian|'s new passphrase once more, when
  // they re-enter the share they were just given (the appliance commits a new
  // split only after every custodian did). CANCELLED on abort.
  virtual StatusOr<SecretBuffer> ConfirmPassphrase(const std::string& custodian) = 0;
  // Deviation returns a witness's note for |step_id|, if any.
  virtual std::optional<std::string> Deviation(const std::string& step_id) = 0;
};

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_RUNNER_PROMPTER_H_
