#include "device/appliance.h"

#include "base/secret.h"

namespace pki::appliance::device {

Appliance::~Appliance() {
  device_.reset();
  engine_.reset();
  journal_sink_.reset();
  journal_.reset();
  signer_.reset();
  audit_key_.reset();
  drbg_.reset();
}

Status Appliance::LoadOrCreateAuditKey(hw::Storage& storage) {
  crypto::PrivateKeyDer der;
  PKI_RETURN_IF_ERROR(der.Resize(crypto::kMaxPrivateKeyDer));
  StatusOr<size_t> n = storage.Read(kAuditKeyKey, der.Mutable(SecretAccess::Grant()));
  if (n.ok()) {
    PKI_RETURN_IF_ERROR(der.Resize(*n));
    StatusOr<crypto::KeyPair> key = crypto::KeyPair::FromPrivateDer(der.View(SecretAccess::Grant()));
    if (!key.ok()) return DataLossError("stored audit key does not parse");
    audit_key_.emplace(std::move(*key));
  } else if (n.status().code() == StatusCode::kNotFound) {
    PKI_ASSIGN_OR_RETURN(crypto::KeyPair key,
                         crypto::KeyPair::Generate(crypto::KeyAlgorithm::kEcP256, *drbg_));
    PKI_RETURN_IF_ERROR(key.SerializePrivate(der));
    PKI_RETURN_IF_ERROR(storage.Write(kAuditKeyKey, der.View(SecretAccess::Grant())));
    audit_key_.emplace(std::move(key));
  } else {
    return n.status();
  }
  PKI_ASSIGN_OR_RETURN(audit_spki_size_, audit_key_->WriteSpki(audit_spki_));
  return OkStatus();
}

Status Appliance::Create(const ApplianceHardware& hw, const ApplianceConfig& config,
                         std::optional<Appliance>& out) {
  out.reset();
  if (hw.storage == nullptr || hw.clock == nullptr || hw.entropy == nullptr ||
      hw.display == nullptr || hw.tamper == nullptr) {
    return InvalidArgumentError("appliance: a hardware port is missing");
  }
  out.emplace(Token());
  Appliance& a = *out;
  Status s = crypto::Drbg::Create(*hw.entropy, AsBytes(config.device.device_id), a.drbg_);
  if (s.ok()) s = a.LoadOrCreateAuditKey(*hw.storage);
  if (s.ok()) {
    a.signer_.emplace(*a.audit_key_, *a.drbg_);
    s = journal::Journal::Open(*hw.storage, *a.signer_, config.journal, a.journal_);
  }
  if (s.ok()) {
    a.journal_sink_.emplace(*a.journal_);
    a.engine_.emplace(*hw.storage, *a.drbg_, config.ca);
    DevicePorts ports;
    ports.storage = hw.storage;
    ports.clock = hw.clock;
    ports.drbg = &*a.drbg_;
    ports.display = hw.display;
    ports.tamper = hw.tamper;
    ports.journal = &*a.journal_sink_;
    ports.engine = &*a.engine_;
    ports.audit_signer = &*a.signer_;
    DeviceConfig dc = config.device;
    dc.audit_public_key = a.AuditPublicKey();
    s = Device::Create(ports, dc, a.device_);
  }
  if (!s.ok()) {
    out.reset();
    return s;
  }
  return OkStatus();
}

}  // namespace pki::appliance::device
