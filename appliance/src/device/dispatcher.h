// dispatcher.h — maps one decoded Request to the Device's handler and its
// result to one Response: the single firewall from Status to the link's
// ErrorCode.
#ifndef PKI_APPLIANCE_DEVICE_DISPATCHER_H_
#define PKI_APPLIANCE_DEVICE_DISPATCHER_H_

#include <string_view>

#include "base/status.h"
#include "device/device.h"
#include "link/codec.h"

namespace pki::appliance::device {

// ErrorCodeFor maps a Status code to the link's ErrorCode. Never fails.
pki_appliance_v1_ErrorCode ErrorCodeFor(StatusCode code);

// SetError makes |out| an Error response with |code| and |message| (cut to
// the bound), keeping out->request_id.
void SetError(link::Response* out, pki_appliance_v1_ErrorCode code, std::string_view message);

// Dispatch runs |req| (borrowed) on |device| and writes the response to
// |out| (overwritten; request_id copied from |req|). A tampered device
// answers only GetStatus and ExportJournal (ERROR_TAMPERED otherwise).
// Never fails: every failure becomes an Error response.
void Dispatch(Device& device, const link::Request& req, link::Response* out);

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_DISPATCHER_H_
