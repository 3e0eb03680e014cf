// ca_engine.h — the OperationEngine on the appliance's CA (appliance/src/ca)
// and crypto: root provisioning, intermediates from CSRs under a profile,
// the root CRL and revocations, cross-certificates.
//
// The root key is stored only sealed (AES-256-GCM under the KEK, associated
// data "pki-root-key-v1") in storage record kSealedRootKeyKey; Sign opens it
// into a zeroizing SecretArray, signs, verifies, and wipes it. Revocations
// live in kRevocationsKey (see revocations.h).
#ifndef PKI_APPLIANCE_DEVICE_CA_ENGINE_H_
#define PKI_APPLIANCE_DEVICE_CA_ENGINE_H_

#include <cstdint>
#include <string_view>
#include <variant>

#include "crypto/drbg.h"
#include "ca/ca_certificate.h"
#include "ca/crl.h"
#include "ca/csr.h"
#include "device/operation_engine.h"
#include "device/revocations.h"
#include "hw/storage.h"

namespace pki::appliance::device {

struct CaEngineConfig {
  // Written into every intermediate (required by the profile rules) and
  // into the CRL's issuing distribution point. Borrowed: must outlive the
  // engine.
  std::string_view crl_url = "http://pki.example.invalid/root.crl";
  std::string_view aia_url = "http://pki.example.invalid/root.crt";
  // nextUpdate of a CRL issued by a Revoke (IssueCrl says its own).
  uint32_t revoke_crl_days = 30;
};

class CaEngine final : public OperationEngine {
 public:
  // Borrows |storage| and |drbg| for its lifetime.
  CaEngine(hw::Storage& storage, crypto::Drbg& drbg, const CaEngineConfig& config)
      : storage_(storage), drbg_(drbg), config_(config) {}
  ~CaEngine() override;
  CaEngine(const CaEngine&) = delete;
  CaEngine& operator=(const CaEngine&) = delete;

  [[nodiscard]] Status Provision(const ProvisionParams& params, const KekView& kek,
                                 ProvisionOutput* out) override;
  [[nodiscard]] Status Prepare(const pki_appliance_v1_BeginOperationRequest& request,
                               const PrepareContext& context, PreparedOperation* out) override;
  [[nodiscard]] StatusOr<size_t> Sign(const PreparedOperation& prepared, const KekView& kek,
                                      MutableByteSpan out) override;
  [[nodiscard]] Status Commit(const PreparedOperation& prepared) override;

 private:
  [[nodiscard]] Status PrepareIntermediate(const pki_appliance_v1_SignIntermediateRequest& r,
                                           const PrepareContext& ctx, PreparedOperation* out);
  [[nodiscard]] Status PrepareCrl(uint32_t next_update_days, const PrepareContext& ctx,
                                  PreparedOperation* out, bool add_pending);
  [[nodiscard]] Status PrepareCross(const pki_appliance_v1_CrossSignRequest& r,
                                    const PrepareContext& ctx, PreparedOperation* out);

  hw::Storage& storage_;
  crypto::Drbg& drbg_;
  CaEngineConfig config_;
  // The stored root, read from storage straight into it and parsed again on
  // each use (~4.1 KiB on the boards: static RAM rather than a stack frame).
  ca::CaCertificate root_;
  // Room for the root's TBS (Provision) and the sealed root key (Sign): a
  // root larger than ca::kMaxCertificateDer does not parse anyway.
  struct RawScratch {
    uint8_t bytes[ca::kMaxCertificateDer] = {};
  };
  // Scratch only one operation at a time uses, so they share the room: raw
  // bytes, the new root a cross-sign certifies, an intermediate's checked
  // CSR, or a CRL's (or a revoke
  // commit's) revocation list, reloaded from storage each use (it is the
  // CRL's entries itself: no second array). On the boards the revocation
  // list is the largest (5640 B; a parsed certificate 4.1 KiB).
  std::variant<std::monostate, RawScratch, ca::CaCertificate, RevocationList, ca::CheckedCsr> scratch_;
};

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_CA_ENGINE_H_
