// fake_tamper.h — a Tamper line tests trip by hand.
#ifndef PKI_HW_FAKE_FAKE_TAMPER_H_
#define PKI_HW_FAKE_FAKE_TAMPER_H_

#include "hw/tamper.h"

namespace pki::hw::fake {

class FakeTamper final : public Tamper {
 public:
  FakeTamper() = default;
  // kTriggered after Trigger() (latched).
  TamperState Poll() override {
    ++polls_;
    return triggered_ ? TamperState::kTriggered : TamperState::kClear;
  }
  void Trigger() { triggered_ = true; }
  unsigned Polls() const { return polls_; }

 private:
  bool triggered_ = false;
  unsigned polls_ = 0;
};

}  // namespace pki::hw::fake

#endif  // PKI_HW_FAKE_FAKE_TAMPER_H_
