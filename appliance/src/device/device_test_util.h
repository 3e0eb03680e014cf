// device_test_util.h — a test harness: a whole Appliance on fakes (fake
// storage that survives "reboots", settable clock, seeded entropy, captured
// display, tamper trigger) with helpers to build requests and call the
// dispatcher. Test-only.
#ifndef PKI_APPLIANCE_DEVICE_DEVICE_TEST_UTIL_H_
#define PKI_APPLIANCE_DEVICE_DEVICE_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "device/appliance.h"
#include "hw/fake/capture_display.h"
#include "hw/fake/fake_clock.h"
#include "hw/fake/fake_storage.h"
#include "hw/fake/fake_tamper.h"
#include "hw/fake/seeded_entropy.h"
#include "link/codec.h"

namespace pki::appliance::device::testing {

inline constexpr int64_t kStartTime = 1'790'000'000;  // 2026-09
inline constexpr uint32_t kTestIterations = 1000;     // fast KDF: test builds only

struct Custodian {
  std::string name;
  std::string passphrase;
  std::vector<uint8_t> wrapped;  // filled by Init
};

class Harness {
 public:
  explicit Harness(uint64_t seed = 7, uint32_t journal_capacity = 256);
  ~Harness();

  // Boot (re)creates the Appliance on the same storage; returns its status.
  Status Boot();
  // PowerCycle destroys the appliance and boots again (RAM is gone).
  Status PowerCycle();

  Device& device() { return appliance_->device(); }
  Appliance& appliance() { return *appliance_; }
  hw::fake::FakeClock& clock() { return clock_; }
  hw::fake::CaptureDisplay& display() { return display_; }
  hw::fake::FakeTamper& tamper() { return tamper_; }
  hw::FakeStorage& storage() { return *storage_; }
  hw::fake::SeededEntropy& entropy() { return *entropy_; }

  // Call dispatches |req| and returns the response (by value; large).
  link::Response Call(const link::Request& req);

  // Requests.
  static link::Request GetStatus();
  static link::Request Init(const std::vector<Custodian>& custodians, uint32_t threshold,
                            const char* subject = "C=DE,O=Example,CN=Example Root CA R1");
  static link::Request BeginSetTime(int64_t t);
  static link::Request BeginDecommission(const char* reason);
  static link::Request BeginIssueCrl(uint32_t days);
  static link::Request BeginRevoke(ByteSpan serial, uint32_t reason);
  static link::Request BeginCrossSign(ByteSpan cert_der, uint32_t days);
  static link::Request BeginChangeCustodians(const std::vector<Custodian>& custodians,
                                             uint32_t threshold);
  static link::Request Submit(ByteSpan nonce, const Custodian& c);
  static link::Request Execute(ByteSpan nonce);
  static link::Request Abort(ByteSpan nonce);
  static link::Request Fetch(uint32_t offset);
  static link::Request Confirm(const Custodian& c);
  static link::Request CancelSplit();

  // Provision runs Init for |custodians| (filling their wrapped shares),
  // has each confirm their share (committing the split) and returns the Init
  // response.
  link::Response Provision(std::vector<Custodian>& custodians, uint32_t threshold);
  // ConfirmAll confirms every custodian's share in order; the last answer.
  link::Response ConfirmAll(const std::vector<Custodian>& custodians);
  // FetchAll reads the whole current result.
  std::vector<uint8_t> FetchAll();
  // Approve opens |begin|, submits |who| shares and returns the nonce; the
  // BeginOperation response is stored in *begin_out if given.
  std::vector<uint8_t> Approve(const link::Request& begin, const std::vector<Custodian*>& who,
                               link::Response* begin_out = nullptr);

  static std::vector<Custodian> ThreeCustodians();

 private:
  std::unique_ptr<hw::FakeStorage> storage_;
  hw::fake::FakeClock clock_{kStartTime};
  std::unique_ptr<hw::fake::SeededEntropy> entropy_;
  hw::fake::CaptureDisplay display_;
  hw::fake::FakeTamper tamper_;
  uint32_t journal_capacity_;
  std::optional<Appliance> appliance_;
};

// ErrorOf returns the error code of |r| (ERROR_NONE if it is not an error).
pki_appliance_v1_ErrorCode ErrorOf(const link::Response& r);
std::string MessageOf(const link::Response& r);

}  // namespace pki::appliance::device::testing

#endif  // PKI_APPLIANCE_DEVICE_DEVICE_TEST_UTIL_H_
