#include "link_client/link_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/bytes.h"
#include "base/crc32.h"
#include "base/secret.h"

namespace pki::host_agent {
namespace {

constexpr uint8_t kSync0 = 0xA5, kSync1 = 0x5A, kVersion = 1, kKindRequest = 1, kKindResponse = 2;
constexpr size_t kHeader = 10, kCrc = 4, kMaxPayload = 6144;
// Call's resend schedule: first resend after 2 s, then 4, 8, at most 8 s apart.
constexpr int64_t kFirstResendMs = 2000, kMaxResendMs = 8000;

int64_t NowMs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

Status OsError(const char* what, const std::string& path) {
  return UnavailableError(what).Append(" ").Append(path).Append(": ").Append(std::strerror(errno));
}

// WipeString overwrites |s|'s bytes in place (before it is freed).
void WipeString(std::string* s) {
  if (!s->empty()) SecureZero(s->data(), s->size());
}

// WipeRequestSecrets overwrites every passphrase a request can carry.
void WipeRequestSecrets(appliance::v1::Request* req) {
  if (req->has_init()) {
    for (auto& c : *req->mutable_init()->mutable_custodians()) WipeString(c.mutable_passphrase());
  }
  if (req->has_submit_share()) WipeString(req->mutable_submit_share()->mutable_passphrase());
  if (req->has_confirm_share()) WipeString(req->mutable_confirm_share()->mutable_passphrase());
  if (req->has_begin_operation() && req->begin_operation().has_change_custodians()) {
    for (auto& c : *req->mutable_begin_operation()->mutable_change_custodians()->mutable_custodians()) {
      WipeString(c.mutable_passphrase());
    }
  }
}

// CallWipe wipes the request copy, its encoding and the frame when Call
// returns, whichever way it returns.
class CallWipe final {
 public:
  CallWipe(appliance::v1::Request& req, std::string& payload, std::vector<uint8_t>& frame)
      : req_(req), payload_(payload), frame_(frame) {}
  ~CallWipe() {
    WipeRequestSecrets(&req_);
    WipeString(&payload_);
    if (!frame_.empty()) SecureZero(frame_.data(), frame_.size());
  }
  CallWipe(const CallWipe&) = delete;
  CallWipe& operator=(const CallWipe&) = delete;

 private:
  appliance::v1::Request& req_;
  std::string& payload_;
  std::vector<uint8_t>& frame_;
};

}  // namespace

std::vector<uint8_t> EncodeLinkFrame(uint32_t request_id, const std::string& payload) {
  std::vector<uint8_t> f(kHeader + payload.size() + kCrc);
  f[0] = kSync0;
  f[1] = kSync1;
  f[2] = kVersion;
  f[3] = kKindRequest;
  StoreBe16(&f[4], static_cast<uint16_t>(payload.size()));
  StoreBe32(&f[6], request_id);
  std::memcpy(&f[kHeader], payload.data(), payload.size());
  StoreBe32(&f[kHeader + payload.size()], Crc32(ByteSpan(&f[2], kHeader - 2 + payload.size())));
  return f;
}

StatusOr<std::unique_ptr<LinkClient>> LinkClient::ConnectUnix(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return InvalidArgumentError("socket path too long");
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return OsError("socket", path);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Status s = OsError("connect", path);
    ::close(fd);
    return s;
  }
  return std::unique_ptr<LinkClient>(new LinkClient(fd));
}

StatusOr<std::unique_ptr<LinkClient>> LinkClient::OpenSerial(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return OsError("open", path);
  termios tio{};
  if (::tcgetattr(fd, &tio) == 0) {
    ::cfmakeraw(&tio);
    ::tcsetattr(fd, TCSANOW, &tio);
  }
  return std::unique_ptr<LinkClient>(new LinkClient(fd));
}

StatusOr<std::unique_ptr<LinkClient>> LinkClient::ConnectTcp(const std::string& host_port) {
  const size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) {
    return InvalidArgumentError("TCP address is not HOST:PORT: ").Append(host_port);
  }
  std::string host = host_port.substr(0, colon);
  const std::string port = host_port.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) == 0 || std::stoul(port) > 65535) {
    return InvalidArgumentError("TCP port is not 1..65535: ").Append(host_port);
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return UnavailableError("cannot resolve ").Append(host_port).Append(": ").Append(::gai_strerror(rc));
  }
  Status last = UnavailableError("no address for ").Append(host_port);
  int fd = -1;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last = OsError("socket", host_port);
      continue;
    }
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    last = OsError("connect", host_port);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  if (fd < 0) return last;
  // Small frames, request/response: without NODELAY each round trip waits
  // out Nagle + delayed ACK (~40 ms).
  const int one = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
    Status s = OsError("setsockopt TCP_NODELAY", host_port);
    ::close(fd);
    return s;
  }
  return std::unique_ptr<LinkClient>(new LinkClient(fd));
}

LinkClient::~LinkClient() { ::close(fd_); }

Status LinkClient::WriteRaw(const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return UnavailableError("link write failed: ").Append(std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

Status LinkClient::Need(size_t n, int64_t deadline_ms) {
  while (buf_.size() < n) {
    int64_t left = deadline_ms - NowMs();
    if (left <= 0) return DeadlineExceededError("no response from the appliance in time");
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return UnavailableError("poll failed on the link");
    if (r == 0) continue;
    uint8_t tmp[4096];
    ssize_t got = ::read(fd_, tmp, sizeof(tmp));
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) return UnavailableError("the appliance closed the link");
    buf_.insert(buf_.end(), tmp, tmp + got);
  }
  return OkStatus();
}

StatusOr<appliance::v1::Response> LinkClient::ReadFrame(int timeout_ms, std::vector<uint8_t>* out_raw) {
  const int64_t deadline = NowMs() + timeout_ms;
  for (;;) {
    PKI_RETURN_IF_ERROR(Need(2, deadline));
    if (buf_[0] != kSync0 || buf_[1] != kSync1) {  // resync
      buf_.erase(buf_.begin());
      continue;
    }
    PKI_RETURN_IF_ERROR(Need(kHeader, deadline));
    size_t len = LoadBe16(&buf_[4]);
    if (buf_[2] != kVersion || buf_[3] != kKindResponse || len > kMaxPayload) {
      buf_.erase(buf_.begin());
      continue;
    }
    PKI_RETURN_IF_ERROR(Need(kHeader + len + kCrc, deadline));
    uint32_t want = LoadBe32(&buf_[kHeader + len]);
    if (want != Crc32(ByteSpan(&buf_[2], kHeader - 2 + len))) {
      buf_.erase(buf_.begin());
      continue;
    }
    appliance::v1::Response resp;
    bool ok = resp.ParseFromArray(&buf_[kHeader], static_cast<int>(len));
    if (out_raw != nullptr) out_raw->assign(buf_.begin(), buf_.begin() + static_cast<long>(kHeader + len + kCrc));
    uint32_t id = LoadBe32(&buf_[6]);
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<long>(kHeader + len + kCrc));
    if (!ok) return DataLossError("response frame does not parse");
    if (resp.request_id() != id) return DataLossError("response id differs from its frame's");
    return resp;
  }
}

StatusOr<appliance::v1::Response> LinkClient::Call(appliance::v1::Request req, int timeout_ms) {
  if (req.request_id() == 0) req.set_request_id(next_id_++);
  std::string payload;
  std::vector<uint8_t> frame;
  CallWipe wipe(req, payload, frame);  // passphrases: gone once sent (or not)
  if (!req.SerializeToString(&payload)) return InternalError("request does not serialize");
  // The frame is built once: every resend is the same id and the same bytes,
  // so the appliance answers a resend from its response cache
  // (docs/appliance-link.md) and never acts twice. The one buffer is wiped
  // when Call returns, covering every attempt.
  frame = EncodeLinkFrame(req.request_id(), payload);
  PKI_RETURN_IF_ERROR(WriteRaw(frame));
  const int64_t start = NowMs();
  const int64_t deadline = start + timeout_ms;
  // A frame lost or corrupted either way costs one resend interval, not the
  // whole deadline. A slow operation (Init, Execute with production KDF
  // rounds) is not cut short: a resend only queues a duplicate the appliance
  // answers from its cache, and Call keeps waiting for either answer; the
  // interval doubles so a long operation gets few duplicates.
  int64_t interval = kFirstResendMs;
  int64_t next_resend = start + interval;
  for (;;) {
    const int64_t now = NowMs();
    if (now >= deadline) return DeadlineExceededError("no response from the appliance in time");
    if (now >= next_resend) {
      PKI_RETURN_IF_ERROR(WriteRaw(frame));
      ++resends_;
      interval = std::min<int64_t>(interval * 2, kMaxResendMs);
      next_resend = now + interval;
    }
    const int64_t wait = std::min(deadline, next_resend) - now;
    auto resp = ReadFrame(static_cast<int>(wait));
    if (!resp.ok()) {
      if (resp.status().code() == StatusCode::kDeadlineExceeded) continue;  // resend or give up above
      if (resp.status().code() == StatusCode::kDataLoss) continue;          // a mangled frame: wait on
      return resp.status();
    }
    // An answer to an older id (a duplicate of an earlier resend) is stale.
    if (resp->request_id() == req.request_id()) return std::move(resp).value();
    if (resp->request_id() == 0) errors_.push_back(std::move(resp).value());
  }
}

}  // namespace pki::host_agent
