// Fuzzes the host side of the appliance link: LinkClient's frame reader
// (resync on bad sync/version/kind/length/CRC, then protobuf C++ parse of
// the Response and the frame-id check) and Call's matching of responses to
// the request id. A separate parser from the appliance's nanopb decoder
// (link_frames_fuzz). The bytes are what the "appliance" sends: they are
// written to a real unix socket LinkClient is connected to, then the
// writer closes, so every read ends (UNAVAILABLE) instead of waiting.
//
// Input: one control byte, then the byte stream.
//   bit 0: go through Call (a GetStatus, request id 7) instead of ReadFrame
//   bit 1: fix up the CRC of every well-formed frame header in the stream,
//          so mutations reach the protobuf parse and the id checks
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "base/bytes.h"
#include "base/crc32.h"
#include "link_client/link_client.h"

namespace {

constexpr uint8_t kSync0 = 0xA5, kSync1 = 0x5A;
constexpr size_t kHeader = 10, kCrc = 4, kMaxPayload = 6144;

struct Listener {
  std::string dir;
  std::string path;
  int fd = -1;
};

const Listener& GetListener() {
  static Listener* l = [] {
    // Malformed UTF-8 in string fields is expected here: keep protobuf quiet.
    google::protobuf::SetLogHandler(nullptr);
    auto* r = new Listener;
    char tmpl[] = "/tmp/host_link_fuzz.XXXXXX";
    PKI_CHECK(::mkdtemp(tmpl) != nullptr);
    r->dir = tmpl;
    r->path = r->dir + "/link.sock";
    r->fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    PKI_CHECK(r->fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    PKI_CHECK(r->path.size() < sizeof(addr.sun_path));
    std::memcpy(addr.sun_path, r->path.c_str(), r->path.size() + 1);
    PKI_CHECK(::bind(r->fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    PKI_CHECK(::listen(r->fd, 4) == 0);
    std::atexit([] {
      const Listener& me = GetListener();
      ::unlink(me.path.c_str());
      ::rmdir(me.dir.c_str());
    });
    return r;
  }();
  return *l;
}

void FixCrcs(std::vector<uint8_t>& s) {
  size_t i = 0;
  while (i + kHeader + kCrc <= s.size()) {
    const size_t len = pki::LoadBe16(&s[i + 4]);
    if (s[i] == kSync0 && s[i + 1] == kSync1 && len <= kMaxPayload &&
        i + kHeader + len + kCrc <= s.size()) {
      pki::StoreBe32(&s[i + kHeader + len], pki::Crc32(pki::ByteSpan(&s[i + 2], kHeader - 2 + len)));
      i += kHeader + len + kCrc;
    } else {
      ++i;
    }
  }
}

void WriteAll(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    PKI_CHECK(n > 0);
    done += static_cast<size_t>(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 65536) return 0;
  const Listener& l = GetListener();
  const uint8_t ctl = data[0];
  std::vector<uint8_t> stream(data + 1, data + size);
  if ((ctl & 2u) != 0) FixCrcs(stream);

  auto client = pki::host_agent::LinkClient::ConnectUnix(l.path);
  PKI_CHECK(client.ok());
  const int peer = ::accept(l.fd, nullptr, nullptr);
  PKI_CHECK(peer >= 0);
  WriteAll(peer, stream);  // fits the socket buffer (<= 64 KiB)
  ::shutdown(peer, SHUT_WR);

  if ((ctl & 1u) != 0) {
    pki::appliance::v1::Request req;
    req.set_request_id(7);
    req.mutable_get_status();
    auto resp = (*client)->Call(req, 2000);
    if (resp.ok()) PKI_CHECK(resp->request_id() == 7);
    for (const auto& e : (*client)->UnattributedErrors()) PKI_CHECK(e.request_id() == 0);
  } else {
    for (int frames = 0; frames < 64; ++frames) {
      std::vector<uint8_t> raw;
      auto resp = (*client)->ReadFrame(2000, &raw);
      if (!resp.ok()) {
        PKI_CHECK(resp.status().code() != pki::StatusCode::kDeadlineExceeded);
        break;
      }
      PKI_CHECK(raw.size() >= kHeader + kCrc);
      PKI_CHECK(raw[0] == kSync0 && raw[1] == kSync1);
      PKI_CHECK(pki::LoadBe32(&raw[6]) == resp->request_id());
    }
  }
  client->reset();
  ::close(peer);
  return 0;
}
