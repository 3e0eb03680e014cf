// Fuzzes the appliance's request dispatcher behind the link decoder: each
// input is a short session of nanopb-encoded Requests that are decoded and
// dispatched to a whole Appliance on the hw fakes (in-memory storage, fake
// clock, seeded entropy), as the link server does after a CRC-good frame.
//
// The expensive part (provisioning: root key, certificate, custodian shares)
// is done once; every input starts from a snapshot of the storage, either
// provisioned (LOCKED) or blank (UNPROVISIONED), so runs are deterministic.
// The device is wired as dev::Appliance::Create does, with the audit key
// parsed once (see Rig). The input format is in appliance_dispatch_input.h. Invariants checked
// (PKI_CHECK aborts): every Response encodes within kMaxPayload and carries
// the request id; an error response has a code and a message; a device that
// reports tamper or decommission stays so; after the last request the
// persisted state boots again (terminal states included).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <array>

#include "appliance_dispatch_input.h"
#include "crypto/drbg.h"
#include "crypto/keypair.h"
#include "device/appliance.h"
#include "device/ca_engine.h"
#include "device/journal_adapter.h"
#include "journal/audit_key.h"
#include "journal/journal.h"
#include "device/dispatcher.h"
#include "hw/fake/capture_display.h"
#include "hw/fake/fake_clock.h"
#include "hw/fake/fake_tamper.h"
#include "hw/fake/seeded_entropy.h"
#include "link/codec.h"
#include "link/frame.h"
#include "snapshot_storage.h"

namespace {

namespace dev = pki::appliance::device;
namespace link = pki::appliance::link;
namespace fz = pki::fuzz;

// The device audit key: parsing it checks the key pair (a scalar
// multiplication, ~15 ms instrumented), so it is parsed once, from the blank
// baseline's storage, and shared by every boot.
struct AuditKey {
  std::optional<pki::appliance::crypto::KeyPair> key;
  uint8_t spki[pki::appliance::crypto::kMaxSpkiDer] = {};
  size_t spki_size = 0;
};

// Rig boots the device on the fakes exactly as dev::Appliance::Create wires
// it (DRBG from the entropy port, journal signed by the audit key, CA engine,
// Device), except that the audit key is the shared, already-parsed one.
struct Rig {
  pki::fuzz::SnapshotStorage storage;
  pki::hw::fake::FakeClock clock{fz::kDispatchStartTime};
  std::unique_ptr<pki::hw::fake::SeededEntropy> entropy;
  pki::hw::fake::CaptureDisplay display;
  pki::hw::fake::FakeTamper tamper;
  std::optional<pki::appliance::crypto::Drbg> drbg;
  std::optional<pki::appliance::journal::CryptoAuditSigner> signer;
  std::optional<pki::appliance::journal::Journal> journal;
  std::optional<dev::JournalAdapter> journal_sink;
  std::optional<dev::CaEngine> engine;
  std::optional<dev::Device> device;

  ~Rig() { PowerOff(); }

  // PowerOff drops everything in RAM; the storage stays.
  void PowerOff() {
    device.reset();
    engine.reset();
    journal_sink.reset();
    journal.reset();
    signer.reset();
    drbg.reset();
  }

  pki::Status Boot(AuditKey& audit) {
    auto e = pki::hw::fake::SeededEntropy::Create(fz::kDispatchEntropySeed);
    if (!e.ok()) return e.status();
    entropy = std::move(*e);
    PKI_RETURN_IF_ERROR(pki::appliance::crypto::Drbg::Create(
        *entropy, pki::AsBytes(fz::kDispatchDeviceId), drbg));
    signer.emplace(*audit.key, *drbg);
    pki::appliance::journal::JournalConfig jc;
    jc.capacity = 64;
    jc.checkpoint_interval = 16;
    PKI_RETURN_IF_ERROR(pki::appliance::journal::Journal::Open(storage, *signer, jc, journal));
    journal_sink.emplace(*journal);
    engine.emplace(storage, *drbg, dev::CaEngineConfig{});
    dev::DevicePorts ports;
    ports.storage = &storage;
    ports.clock = &clock;
    ports.drbg = &*drbg;
    ports.display = &display;
    ports.tamper = &tamper;
    ports.journal = &*journal_sink;
    ports.engine = &*engine;
    ports.audit_signer = &*signer;
    dev::DeviceConfig dc;
    dc.device_id = fz::kDispatchDeviceId;
    dc.firmware_version = "0.1.0-fuzz";
    dc.quorum_timeout_ms = 60'000;
    dc.share_iterations = fz::kDispatchShareIterations;
    dc.audit_public_key = pki::ByteSpan(audit.spki, audit.spki_size);
    return dev::Device::Create(ports, dc, device);
  }
};

// The state every input starts from.
struct Baseline {
  pki::fuzz::SnapshotStorage::Image blank;
  pki::fuzz::SnapshotStorage::Image provisioned;
  fz::DispatchCustodians custodians;
  AuditKey audit;
};

Baseline& GetBaseline() {
  static Baseline* baseline = [] {
    auto* b = new Baseline;
    {
      // The real wiring makes the audit key and the first journal records.
      pki::fuzz::SnapshotStorage storage;
      pki::hw::fake::FakeClock clock{fz::kDispatchStartTime};
      auto entropy = pki::hw::fake::SeededEntropy::Create(fz::kDispatchEntropySeed);
      PKI_CHECK(entropy.ok());
      pki::hw::fake::CaptureDisplay display;
      pki::hw::fake::FakeTamper tamper;
      dev::ApplianceHardware hw{&storage, &clock, entropy->get(), &display, &tamper};
      dev::ApplianceConfig config;
      config.device.device_id = fz::kDispatchDeviceId;
      config.device.share_iterations = fz::kDispatchShareIterations;
      config.journal.capacity = 64;
      config.journal.checkpoint_interval = 16;
      std::optional<dev::Appliance> appliance;
      PKI_CHECK(dev::Appliance::Create(hw, config, appliance).ok());
      appliance.reset();
      b->blank = storage.Save();
      pki::appliance::crypto::PrivateKeyDer der;
      PKI_CHECK(der.Resize(pki::appliance::crypto::kMaxPrivateKeyDer).ok());
      auto n = storage.Read(dev::kAuditKeyKey, der.Mutable(pki::SecretAccess::Grant()));
      PKI_CHECK(n.ok() && der.Resize(*n).ok());
      auto key = pki::appliance::crypto::KeyPair::FromPrivateDer(der.View(pki::SecretAccess::Grant()));
      PKI_CHECK(key.ok());
      b->audit.key.emplace(std::move(*key));
      auto spki = b->audit.key->WriteSpki(b->audit.spki);
      PKI_CHECK(spki.ok());
      b->audit.spki_size = *spki;
    }
    Rig rig;
    rig.storage.Restore(b->blank);
    PKI_CHECK(rig.Boot(b->audit).ok());
    b->custodians = fz::DefaultDispatchCustodians();
    link::Request init = fz::MakeDispatchInit(b->custodians);
    auto* resp = new link::Response;
    dev::Dispatch(*rig.device, init, resp);
    PKI_CHECK(resp->which_body == pki_appliance_v1_Response_init_tag);
    PKI_CHECK(resp->body.init.shares_count == b->custodians.size());
    for (size_t i = 0; i < b->custodians.size(); ++i) {
      const auto& w = resp->body.init.shares[i].wrapped;
      b->custodians[i].wrapped.assign(w.bytes, w.bytes + w.size);
    }
#ifdef pki_appliance_v1_Request_confirm_share_tag
    // Share confirmation (when the link has it): the split and the root are
    // only committed once every custodian has re-entered their share.
    for (const fz::DispatchCustodian& c : b->custodians) {
      link::Request confirm = pki_appliance_v1_Request_init_zero;
      confirm.request_id = 2;
      confirm.which_body = pki_appliance_v1_Request_confirm_share_tag;
      auto& cs = confirm.body.confirm_share;
      fz::CopyString(cs.custodian, sizeof(cs.custodian), c.name);
      fz::CopyString(cs.passphrase, sizeof(cs.passphrase), c.passphrase);
      fz::SetBytes(cs.wrapped_share, pki::ByteSpan(c.wrapped.data(), c.wrapped.size()));
      dev::Dispatch(*rig.device, confirm, resp);
      PKI_CHECK(resp->which_body == pki_appliance_v1_Response_confirm_share_tag);
    }
#endif
    PKI_CHECK(rig.device->State() == pki_appliance_v1_DeviceState_LOCKED);
    delete resp;
    rig.device.reset();
    b->provisioned = rig.storage.Save();
    return b;
  }();
  return *baseline;
}

// PKI_FUZZ_VERBOSE=1 prints every step's outcome (to check seeds).
bool Verbose() {
  static const bool verbose = std::getenv("PKI_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

void CheckResponse(const link::Request& req, const link::Response& resp) {
  PKI_CHECK(resp.request_id == req.request_id);
  if (resp.which_body == pki_appliance_v1_Response_error_tag) {
    PKI_CHECK(resp.body.error.code != pki_appliance_v1_ErrorCode_ERROR_NONE);
    PKI_CHECK(resp.body.error.message[0] != '\0');
  }
  static uint8_t buf[link::kMaxPayload];
  PKI_CHECK(link::EncodeResponse(pki::MutableByteSpan(buf, sizeof(buf)), resp).ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Baseline& base = GetBaseline();
  fz::DispatchScript script(pki::ByteSpan(data, size));
  Rig rig;
  rig.storage.Restore(script.provisioned() ? base.provisioned : base.blank);
  PKI_CHECK(rig.Boot(base.audit).ok());
  dev::Device& device = *rig.device;

  // Large structs: keep them off the (ASan-enlarged) stack.
  static link::Request req;
  static link::Response resp;
  fz::DispatchStep step;
  std::array<uint8_t, 16> nonce{};
  size_t nonce_size = 0;
  bool tampered = false;
  bool decommissioned = false;
  bool tampered_unprovisioned = false;  // see the reboot check below
  bool changed = false;  // a request may have persisted something
  while (script.Next(&step)) {
    const auto state_before = device.State();
    if (!link::DecodeRequest(&req, step.payload).ok()) continue;
    fz::ApplyFixups(step, base.custodians, pki::ByteSpan(nonce.data(), nonce_size), &req);
    if (step.advance_ms != 0) rig.clock.AdvanceMillis(step.advance_ms);
    if (step.trip_tamper) rig.tamper.Trigger();
    dev::Dispatch(device, req, &resp);
    CheckResponse(req, resp);
    if (Verbose()) {
      std::fprintf(stderr, "step ctl=0x%02x request %u -> response %u %s\n", step.ctl,
                   static_cast<unsigned>(req.which_body), static_cast<unsigned>(resp.which_body),
                   resp.which_body == pki_appliance_v1_Response_error_tag ? resp.body.error.message : "");
    }
    if (resp.which_body == pki_appliance_v1_Response_begin_operation_tag) {
      const auto& n = resp.body.begin_operation.nonce;
      PKI_CHECK(n.size <= nonce.size());
      std::memcpy(nonce.data(), n.bytes, n.size);
      nonce_size = n.size;
    }
    switch (req.which_body) {
      case pki_appliance_v1_Request_get_status_tag:
      case pki_appliance_v1_Request_fetch_result_tag:
      case pki_appliance_v1_Request_export_journal_tag:
      case pki_appliance_v1_Request_get_root_certificate_tag:
        break;
      default:
        changed = changed || resp.which_body != pki_appliance_v1_Response_error_tag;
    }
    changed = changed || step.trip_tamper || step.advance_ms != 0;
    device.Tick();
    // Terminal states stay terminal.
    if (tampered) PKI_CHECK(device.Tampered());
    if (decommissioned) {
      PKI_CHECK(device.State() == pki_appliance_v1_DeviceState_DECOMMISSIONED);
    }
    if (!tampered && device.Tampered()) {
      tampered_unprovisioned = state_before == pki_appliance_v1_DeviceState_UNPROVISIONED;
    }
    tampered = device.Tampered();
    decommissioned = device.State() == pki_appliance_v1_DeviceState_DECOMMISSIONED;
  }
  // Whatever the requests did, what they persisted boots again, and terminal
  // states survive the reboot. (Skipped when every request was refused or
  // read-only: a boot costs as much as the rest of a typical input.)
  if (!changed) {
    req = pki_appliance_v1_Request_init_zero;
    return 0;
  }
  rig.PowerOff();
  const pki::Status reboot = rig.Boot(base.audit);
#ifndef PKI_FUZZ_STRICT_REBOOT
  // Known bug (docs/fuzzing.md, Findings; reproducer in
  // tests/fuzz/crashes/appliance_dispatch): a device tampered while
  // UNPROVISIONED does not boot again. Skipped here so the fuzzer looks for
  // other bugs; the fuzz_crash.appliance_tamper_unprovisioned test (built
  // with PKI_FUZZ_STRICT_REBOOT) fails until it is fixed.
  if (!reboot.ok() && tampered_unprovisioned) {
    req = pki_appliance_v1_Request_init_zero;
    return 0;
  }
#endif
  if (!reboot.ok()) {
    std::fprintf(stderr, "reboot failed%s: %.*s\n",
                 tampered_unprovisioned ? " (tampered while UNPROVISIONED)" : "",
                 static_cast<int>(reboot.message().size()), reboot.message().data());
    PKI_CHECK(reboot.ok());
  }
  if (tampered) PKI_CHECK(rig.device->Tampered());
  if (decommissioned) {
    PKI_CHECK(rig.device->State() == pki_appliance_v1_DeviceState_DECOMMISSIONED);
  }
  // Secrets in the static request (passphrases) do not outlive the input.
  req = pki_appliance_v1_Request_init_zero;
  return 0;
}
