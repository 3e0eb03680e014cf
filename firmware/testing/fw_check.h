// fw_check.h — the firmware images' minimal test harness (GoogleTest does not
// run on bare metal). A test is a function taking a Checker; FW_EXPECT
// records a failure with file:line and the expression, FW_EXPECT_OK also
// prints the Status. RunTests prints one line per test with its time in ms
// and returns the process exit code (0 if every check held), which the board
// hands to QEMU via semihosting so ctest sees it.
#ifndef PKI_FIRMWARE_TESTING_FW_CHECK_H_
#define PKI_FIRMWARE_TESTING_FW_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/status.h"
#include "hw/clock.h"

namespace pki::firmware {

class Checker final {
 public:
  // Expect records a failure at |file|:|line| showing |expr| if |ok| is false.
  // Returns |ok|.
  bool Expect(bool ok, const char* expr, const char* file, int line);
  // ExpectOk records a failure showing |status| if it is not OK.
  bool ExpectOk(const Status& status, const char* expr, const char* file, int line);
  size_t failures() const { return failures_; }

 private:
  size_t failures_ = 0;
};

struct TestCase {
  const char* name;
  void (*run)(Checker& check);
};

// RunTests runs |tests| in order, timing each with |clock| (borrowed), and
// returns 0 if all passed, 1 otherwise. Prints "[ OK ] name (N ms)" lines.
int RunTests(std::span<const TestCase> tests, hw::Clock& clock);

}  // namespace pki::firmware

#define FW_EXPECT(check, cond) (check).Expect((cond), #cond, __FILE__, __LINE__)
#define FW_EXPECT_OK(check, expr) (check).ExpectOk((expr), #expr, __FILE__, __LINE__)

#endif  // PKI_FIRMWARE_TESTING_FW_CHECK_H_
