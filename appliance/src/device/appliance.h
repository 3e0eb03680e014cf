// appliance.h — wires the firmware together once: the DRBG seeded from the
// entropy port, the device audit key, the journal, the CA engine and the
// Device, all on the HAL ports given. appliance-sim and the board mains both
// build one of these; nothing here touches the OS.
#ifndef PKI_APPLIANCE_DEVICE_APPLIANCE_H_
#define PKI_APPLIANCE_DEVICE_APPLIANCE_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/status.h"
#include "crypto/drbg.h"
#include "crypto/keypair.h"
#include "device/ca_engine.h"
#include "device/device.h"
#include "device/journal_adapter.h"
#include "hw/clock.h"
#include "hw/display.h"
#include "hw/entropy.h"
#include "hw/storage.h"
#include "hw/tamper.h"
#include "journal/audit_key.h"
#include "journal/journal.h"

namespace pki::appliance::device {

// Storage key of the device audit key (the journal's checkpoint and export
// signer), device range. It is the device's own key, not the root's: it is
// stored unsealed so the journal works while LOCKED.
inline constexpr uint32_t kAuditKeyKey = 0x03000005u;

// The hardware an Appliance borrows; all must outlive it.
struct ApplianceHardware {
  hw::Storage* storage = nullptr;
  hw::Clock* clock = nullptr;
  hw::EntropySource* entropy = nullptr;
  hw::Display* display = nullptr;
  hw::Tamper* tamper = nullptr;
};

struct ApplianceConfig {
  DeviceConfig device;
  CaEngineConfig ca;
  journal::JournalConfig journal;
};

class Appliance final {
  class Token {
    friend class Appliance;
    Token() = default;
  };

 public:
  // Create builds everything in |out|. Errors: a missing port
  // (INVALID_ARGUMENT), entropy failure (UNAVAILABLE), test-only entropy in
  // a production build (FAILED_PRECONDITION), corrupt storage (DATA_LOSS),
  // or Device::Create's. |out| is empty on failure.
  [[nodiscard]] static Status Create(const ApplianceHardware& hw, const ApplianceConfig& config,
                                     std::optional<Appliance>& out);

  explicit Appliance(Token) {}  // use Create
  Appliance(const Appliance&) = delete;
  Appliance& operator=(const Appliance&) = delete;
  ~Appliance();

  Device& device() { return *device_; }
  journal::Journal& journal() { return *journal_; }
  // AuditPublicKey borrows the audit key's DER SPKI.
  ByteSpan AuditPublicKey() const { return ByteSpan(audit_spki_, audit_spki_size_); }

 private:
  [[nodiscard]] Status LoadOrCreateAuditKey(hw::Storage& storage);

  // Destroyed in reverse order: the device first, the DRBG last.
  std::optional<crypto::Drbg> drbg_;
  std::optional<crypto::KeyPair> audit_key_;
  uint8_t audit_spki_[crypto::kMaxSpkiDer] = {};
  size_t audit_spki_size_ = 0;
  std::optional<journal::CryptoAuditSigner> signer_;
  std::optional<journal::Journal> journal_;
  std::optional<JournalAdapter> journal_sink_;
  std::optional<CaEngine> engine_;
  std::optional<Device> device_;
};

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_APPLIANCE_H_
