// entropy.h — the appliance's entropy source (a TRNG on a board).
//
// The appliance seeds its CTR_DRBG from this and nothing else. A host port
// reads the OS's getrandom(); boards read their TRNG; a seeded deterministic
// source exists only in test builds (see hw/fake/).
#ifndef PKI_HW_ENTROPY_H_
#define PKI_HW_ENTROPY_H_

#include "base/bytes.h"
#include "base/status.h"

namespace pki::hw {

class EntropySource {
 public:
  virtual ~EntropySource() = default;

  // Fill writes |out|.size() bytes of full entropy to |out|. Returns
  // UNAVAILABLE if the source failed (e.g. a health test tripped); |out| then
  // holds nothing usable and the caller must not use it.
  [[nodiscard]] virtual Status Fill(MutableByteSpan out) = 0;

  // IsTestOnly is true for deterministic or otherwise non-random sources; a
  // production build refuses to run with one.
  virtual bool IsTestOnly() const = 0;
};

}  // namespace pki::hw

#endif  // PKI_HW_ENTROPY_H_
