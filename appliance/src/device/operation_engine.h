// operation_engine.h — the narrow view of the CA the device needs: make the
// root at provisioning, turn an approved operation's parameters into exact
// to-be-signed bytes (previewed and shown before any share is entered), and
// sign them once a quorum has rebuilt the KEK.
//
// The device owns the flow (state, quorum, journal, display); the engine owns
// X.509 and the root key, which exists in plaintext only inside Provision and
// Sign and is wiped before they return. ca_engine.h implements it on
// appliance/src/ca and appliance/src/crypto.
#ifndef PKI_APPLIANCE_DEVICE_OPERATION_ENGINE_H_
#define PKI_APPLIANCE_DEVICE_OPERATION_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "appliance/v1/link.nanopb.h"
#include "base/bytes.h"
#include "ca/ca_certificate.h"
#include "crypto/signature.h"
#include "base/secret.h"
#include "base/status_or.h"

namespace pki::appliance::device {

// The largest to-be-signed DER an operation may build: a TBSCertList of
// about 110 revocations of 20-byte serials with reason codes (an entry is at
// most 56 bytes; device_test drives it), a TBSCertificate is at most ~3 KiB.
// A larger TBS is refused by its builder (OUT_OF_RANGE), nothing overflows.
inline constexpr size_t kMaxTbsSize = 6144;
// What signing adds around a TBS (ca/sign.cc): the outer SEQUENCE header (4
// bytes: the content stays below 64 KiB), the AlgorithmIdentifier (at most
// 15 bytes: sha256/384WithRSAEncryption with NULL parameters; ECDSA is 12),
// the BIT STRING header and its unused-bits byte (5) and the signature
// (crypto::kMaxSignatureSize: RSA-4096).
inline constexpr size_t kMaxSignedOverhead = 4 + 15 + 5 + crypto::kMaxSignatureSize;
// The largest result the device serves: the signed form of the largest TBS
// (the TBS itself, a root certificate or a journal destruction record are
// smaller).
inline constexpr size_t kMaxResultSize = kMaxTbsSize + kMaxSignedOverhead;
static_assert(kMaxResultSize >= ca::kMaxCertificateDer + kMaxSignedOverhead,
              "a root certificate (whose TBS fits ca::kMaxCertificateDer) fits the result");
static_assert(kMaxSignedOverhead < 64 * 1024 - kMaxTbsSize, "the outer length stays 2 bytes");
inline constexpr size_t kMaxPreviewSize = 1024;   // link.options: BeginOperationResponse.preview
static_assert(sizeof(pki_appliance_v1_BeginOperationResponse::preview) == kMaxPreviewSize);
inline constexpr size_t kMaxSealedKeySize = 2560; // sealed RSA-4096 private key

using KekView = SecretArray<32>;

struct ProvisionParams {
  pki_appliance_v1_KeyAlgorithm algorithm = pki_appliance_v1_KeyAlgorithm_KEY_ALGORITHM_UNSPECIFIED;
  std::string_view subject;
  int64_t not_before = 0;
  int64_t not_after = 0;
};

// ProvisionOutput receives the root made at provisioning. The buffers are
// the device's; the engine fills them.
struct ProvisionOutput {
  MutableByteSpan cert;         // the root certificate DER
  size_t cert_size = 0;
  MutableByteSpan sealed_key;   // the root key sealed under the KEK
  size_t sealed_key_size = 0;
};

// PreparedOperation is what a quorum approves: the exact bytes to sign and a
// human-readable preview. Nothing in it is secret.
struct PreparedOperation {
  pki_appliance_v1_Operation operation = pki_appliance_v1_Operation_OPERATION_UNSPECIFIED;
  uint8_t tbs[kMaxTbsSize] = {};
  size_t tbs_size = 0;          // 0 for operations that sign nothing
  // Where Prepare writes the human-readable preview, NUL-terminated: room
  // the caller lends for the call (the device: its BeginOperation answer's
  // preview field, kMaxPreviewSize bytes), not kept afterwards.
  std::span<char> preview;
  // The CRL number the TBS carries (0: none); the device persists it.
  uint64_t crl_number = 0;
  // A revocation to persist after signing (Commit).
  uint8_t revoked_serial[20] = {};
  size_t revoked_serial_size = 0;
  uint32_t revoke_reason = 0;
  int64_t time = 0;             // the device time the TBS was built for
};

// What the device tells Prepare about itself.
struct PrepareContext {
  int64_t now = 0;               // device time (unix seconds) to build the TBS for
  uint64_t next_crl_number = 1;  // the CRL number a CRL built now must carry
};

class OperationEngine {
 public:
  virtual ~OperationEngine() = default;

  // Provision generates the root key, self-signs the root certificate for
  // |params| and seals the key under |kek| (borrowed), writing both into
  // |out|. INVALID_ARGUMENT naming a bad parameter; UNAVAILABLE if entropy
  // failed; OUT_OF_RANGE if a buffer is too small. Nothing is persisted.
  [[nodiscard]] virtual Status Provision(const ProvisionParams& params, const KekView& kek,
                                         ProvisionOutput* out) = 0;

  // Prepare checks |request| (borrowed) against the profile rules and the
  // stored root and builds the to-be-signed bytes for |context| into |out|. Only for SIGN_INTERMEDIATE, ISSUE_CRL, REVOKE and
  // CROSS_SIGN. INVALID_ARGUMENT naming the problem (bad CSR, profile
  // violation, unknown serial...); FAILED_PRECONDITION if the device has no
  // root; DATA_LOSS if stored state is corrupt.
  [[nodiscard]] virtual Status Prepare(const pki_appliance_v1_BeginOperationRequest& request,
                                       const PrepareContext& context,
                                       PreparedOperation* out) = 0;

  // Sign unseals the root key with |kek| (borrowed), signs |prepared|'s TBS,
  // parses the result back and verifies it against the root, and writes the
  // DER to the front of |out|; returns its length. PERMISSION_DENIED if the
  // KEK does not open the sealed key; INTERNAL if the result fails its
  // check (nothing is written then). The key is wiped before returning.
  [[nodiscard]] virtual StatusOr<size_t> Sign(const PreparedOperation& prepared,
                                              const KekView& kek, MutableByteSpan out) = 0;

  // Commit persists what a signed operation changes in the engine's records
  // (a revocation), before its result is released. The storage's error.
  [[nodiscard]] virtual Status Commit(const PreparedOperation& prepared) = 0;
};

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_OPERATION_ENGINE_H_
