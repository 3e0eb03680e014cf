// semihost_tamper.h — hw::Tamper for the emulated boards, which have no
// tamper sensors: the "case switch" is a host file. If <folder>/TAMPER
// exists when Poll runs (a test creates it to open the case), the state
// latches to kTriggered. A host error while looking fails closed (kTriggered).
#ifndef PKI_HW_BOARDS_SEMIHOST_TAMPER_H_
#define PKI_HW_BOARDS_SEMIHOST_TAMPER_H_

#include <cstddef>
#include <string_view>

#include "hw/tamper.h"

namespace pki::hw::board {

class SemihostTamper final : public Tamper {
 public:
  static constexpr size_t kMaxFolder = 200;

  // Watches <|folder|>/TAMPER; a |folder| that is empty or longer than
  // kMaxFolder makes every Poll report kTriggered (fail closed).
  explicit SemihostTamper(std::string_view folder);

  // See hw::Tamper. Latched.
  TamperState Poll() override;

 private:
  char path_[kMaxFolder + 8] = {};
  size_t path_size_ = 0;
  bool triggered_ = false;
};

}  // namespace pki::hw::board

#endif  // PKI_HW_BOARDS_SEMIHOST_TAMPER_H_
