// tamper.h — the appliance's tamper sensors (case switch, mesh, light,
// voltage/temperature monitors on a board).
//
// The device polls between requests; on kTriggered it zeroizes every secret
// it holds (quorum, reassembled keys, caches) and stops serving. A sensor that
// cannot be read reports kTriggered: the tamper line fails closed.
#ifndef PKI_HW_TAMPER_H_
#define PKI_HW_TAMPER_H_

namespace pki::hw {

enum class TamperState {
  kClear = 0x3C,      // far apart in Hamming distance from kTriggered
  kTriggered = 0xC3,
};

class Tamper {
 public:
  virtual ~Tamper() = default;

  // Poll returns kTriggered if any sensor fired since power-on (the state is
  // latched: once triggered, every later Poll returns kTriggered) or could not
  // be read; otherwise kClear. Never fails.
  virtual TamperState Poll() = 0;
};

}  // namespace pki::hw

#endif  // PKI_HW_TAMPER_H_
