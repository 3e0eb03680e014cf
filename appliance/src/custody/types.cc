#include "custody/types.h"

#include <cstring>

namespace pki::appliance::custody {

Status CustodianName::Set(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("custody: empty custodian name");
  if (name.size() > kMaxNameSize) {
    return InvalidArgumentError("custody: custodian name longer than 31 bytes");
  }
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return InvalidArgumentError("custody: custodian name has a control character");
    }
  }
  chars_.fill(0);
  std::memcpy(chars_.data(), name.data(), name.size());
  size_ = static_cast<uint8_t>(name.size());
  return OkStatus();
}

Status ApplianceId::Set(ByteSpan id) {
  if (id.empty() || id.size() > kMaxApplianceIdSize) {
    return InvalidArgumentError("custody: appliance id must be 1..39 bytes");
  }
  bytes_.fill(0);
  std::memcpy(bytes_.data(), id.data(), id.size());
  size_ = static_cast<uint8_t>(id.size());
  return OkStatus();
}

Status CustodianError(StatusCode code, std::string_view name, uint8_t index,
                      std::string_view what) {
  Status s(code, "custodian ");
  s.Append(name.empty() ? std::string_view("<unknown>") : name);
  s.Append(" (share ").AppendNumber(index).Append("): ").Append(what);
  return s;
}

}  // namespace pki::appliance::custody
