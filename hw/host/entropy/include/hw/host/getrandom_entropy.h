// getrandom_entropy.h — EntropySource from the kernel's CSPRNG (getrandom(2),
// blocking until the pool is initialized).
#ifndef PKI_HW_HOST_GETRANDOM_ENTROPY_H_
#define PKI_HW_HOST_GETRANDOM_ENTROPY_H_

#include "hw/entropy.h"

namespace pki::hw::host {

class GetrandomEntropy final : public EntropySource {
 public:
  GetrandomEntropy() = default;
  // Fill loops over short reads and EINTR; UNAVAILABLE if getrandom fails
  // (|out| is then wiped).
  [[nodiscard]] Status Fill(MutableByteSpan out) override;
  bool IsTestOnly() const override { return false; }
};

}  // namespace pki::hw::host

#endif  // PKI_HW_HOST_GETRANDOM_ENTROPY_H_
