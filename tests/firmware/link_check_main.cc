// fw_link_check — the host agent's link client against an appliance on a
// TCP serial line (an emulated board's UART, QEMU's chardev): GetStatus,
// round-trip times, and the framing rules of docs/appliance-link.md that
// the ceremony path never exercises (garbage and a bad-CRC frame answered
// with ERROR_BAD_FRAME for request id 0, then the link still answers).
//
//   fw_link_check (HOST:PORT | unix:PATH) [--rounds N] [--framing] [--audit-key-out FILE]
//
// unix:PATH talks to appliance-sim's socket instead (the host figures next
// to the boards' in docs/firmware.md).
// --audit-key-out writes the appliance's audit public key (DER SPKI, from
// GetStatus) for `ceremony verify-transcript --audit-key`. Prints one line
// per check; exit 0 when all pass, 1 with the reason otherwise.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "common/file.h"
#include "link_client/link_client.h"

namespace {

using pki::host_agent::LinkClient;
namespace lv1 = pki::appliance::v1;

int Fail(const std::string& what) {
  std::fprintf(stderr, "fw_link_check: FAIL: %s\n", what.c_str());
  return 1;
}

double NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec) / 1e6;
}

pki::StatusOr<lv1::StatusResponse> GetStatus(LinkClient& client) {
  lv1::Request req;
  req.mutable_get_status();
  auto resp = client.Call(std::move(req), 10000);
  if (!resp.ok()) return resp.status();
  if (!resp->has_status()) {
    return pki::InternalError("GetStatus answered without a status: ").Append(resp->ShortDebugString());
  }
  return resp->status();
}

// Framing: garbage, then a frame whose CRC is wrong. The appliance answers
// with ERROR_BAD_FRAME for request id 0 (one for the garbage, one for the
// bad CRC) and a GetStatus after it is answered normally.
int CheckFraming(LinkClient& client) {
  const uint32_t bad_id = client.NextRequestId() + 1000;
  lv1::Request req;
  req.set_request_id(bad_id);
  req.mutable_get_status();
  std::string payload;
  req.SerializeToString(&payload);
  std::vector<uint8_t> bytes = {0x00, 0x13, 'g', 'a', 'r', 'b', 'a', 'g', 'e'};
  std::vector<uint8_t> frame = pki::host_agent::EncodeLinkFrame(bad_id, payload);
  frame.back() ^= 0xFF;  // break the CRC
  bytes.insert(bytes.end(), frame.begin(), frame.end());
  if (auto s = client.WriteRaw(bytes); !s.ok()) return Fail(std::string(s.message()));
  int errors = 0;
  // Both ERROR frames come back before anything else: the appliance answers
  // in order. Wait for them (10 s each, generous for a loaded host).
  for (int i = 0; i < 2; ++i) {
    auto resp = client.ReadFrame(10000);
    if (!resp.ok()) {
      return Fail("no ERROR frame " + std::to_string(i + 1) + "/2 for garbage + bad CRC: " +
                  std::string(resp.status().message()));
    }
    if (resp->request_id() != 0 || !resp->has_error() || resp->error().code() != lv1::ERROR_BAD_FRAME) {
      return Fail("bad bytes answered with " + resp->ShortDebugString());
    }
    std::printf("bad bytes -> ERROR_BAD_FRAME, id 0: %s\n", resp->error().message().c_str());
    ++errors;
  }
  auto status = GetStatus(client);
  if (!status.ok()) return Fail("after the bad frames: " + std::string(status.status().message()));
  if (!client.UnattributedErrors().empty()) {
    return Fail("extra ERROR frames after the bad bytes: " + client.UnattributedErrors()[0].ShortDebugString());
  }
  std::printf("framing: garbage + bad CRC answered with %d ERROR_BAD_FRAME (id 0); link resynchronized\n",
              errors);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Fail("usage: fw_link_check (HOST:PORT | unix:PATH) [--rounds N] [--framing] [--audit-key-out FILE]");
  const std::string address = argv[1];
  int rounds = 0;
  bool framing = false;
  std::string audit_out;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
    } else if (a == "--framing") {
      framing = true;
    } else if (a == "--audit-key-out" && i + 1 < argc) {
      audit_out = argv[++i];
    } else {
      return Fail("unknown argument " + a);
    }
  }
  auto client = address.rfind("unix:", 0) == 0 ? LinkClient::ConnectUnix(address.substr(5))
                                                : LinkClient::ConnectTcp(address);
  if (!client.ok()) return Fail(std::string(client.status().message()));
  auto status = GetStatus(**client);
  if (!status.ok()) return Fail(std::string(status.status().message()));
  std::printf("GetStatus: state=%s firmware_version=%s device_id=%s production_build=%d\n",
              lv1::DeviceState_Name(status->state()).c_str(), status->firmware_version().c_str(),
              status->device_id().c_str(), status->production_build() ? 1 : 0);
  if (status->firmware_version().empty()) return Fail("no firmware version in the status");
  if (rounds > 0) {
    std::vector<double> ms;
    for (int i = 0; i < rounds; ++i) {
      const double t = NowMs();
      auto s = GetStatus(**client);
      if (!s.ok()) return Fail("round " + std::to_string(i) + ": " + std::string(s.status().message()));
      ms.push_back(NowMs() - t);
    }
    std::sort(ms.begin(), ms.end());
    std::printf("GetStatus round trip over the link: median %.2f ms, max %.2f ms (%d rounds)\n",
                ms[ms.size() / 2], ms.back(), rounds);
  }
  if (framing) {
    if (int rc = CheckFraming(**client); rc != 0) return rc;
  }
  if (!audit_out.empty()) {
    if (status->audit_public_key().empty()) return Fail("the appliance reports no audit public key");
    auto w = pki::WriteFileAtomic(audit_out, pki::AsBytes(status->audit_public_key()), 0644);
    if (!w.ok()) return Fail(std::string(w.message()));
    std::printf("audit public key (%zu bytes DER) -> %s\n", status->audit_public_key().size(), audit_out.c_str());
  }
  return 0;
}
