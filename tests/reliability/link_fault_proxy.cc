#include "link_fault_proxy.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "appliance/v1/link.pb.h"

namespace pki::testing {
namespace {

constexpr uint8_t kSync0 = 0xA5, kSync1 = 0x5A;
constexpr size_t kHeader = 10, kCrc = 4, kMaxPayload = 6144;

bool WriteAll(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

int ConnectUnix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

const char* DirName(Direction d) { return d == Direction::kToAppliance ? "to-appliance" : "to-host"; }

}  // namespace

const char* FaultName(Fault f) {
  switch (f) {
    case Fault::kNone: return "none";
    case Fault::kDrop: return "drop";
    case Fault::kDuplicate: return "duplicate";
    case Fault::kLateCopy: return "late copy after the next frame (reorder)";
    case Fault::kCorrupt: return "corrupt one bit";
    case Fault::kSplit: return "split into small chunks";
    case Fault::kNoise: return "noise bytes before the frame";
    case Fault::kDisconnect: return "cable pulled (connection closed)";
  }
  return "?";
}

LinkFaultProxy::LinkFaultProxy(std::string upstream_socket, std::string listen_socket, uint32_t seed)
    : upstream_(std::move(upstream_socket)), listen_(std::move(listen_socket)), rng_(seed) {}

LinkFaultProxy::~LinkFaultProxy() { Stop(); }

void LinkFaultProxy::AddRule(const FaultRule& rule) { rules_.push_back(rule); }
void LinkFaultProxy::SetRandom(const RandomFaults& faults) { random_ = faults; }

bool LinkFaultProxy::Start() {
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, listen_.c_str(), sizeof(a.sun_path) - 1);
  ::unlink(listen_.c_str());
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || ::listen(listen_fd_, 4) != 0) {
    return false;
  }
  thread_ = std::thread([this] { Serve(); });
  return true;
}

void LinkFaultProxy::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

std::vector<std::string> LinkFaultProxy::Log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

void LinkFaultProxy::Serve() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int upstream = ConnectUnix(upstream_);
    if (upstream >= 0) {
      Relay(client, upstream);
      ::close(upstream);
    }
    ::close(client);
  }
}

void LinkFaultProxy::Relay(int client, int upstream) {
  Stream to_app, to_host;
  uint8_t buf[4096];
  while (!stop_.load()) {
    pollfd p[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (::poll(p, 2, 50) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::recv(p[i].fd, buf, sizeof(buf), 0);
      if (n <= 0) return;  // either side closed: drop the connection
      Stream& s = i == 0 ? to_app : to_host;
      s.buf.insert(s.buf.end(), buf, buf + n);
      if (!Pump(s, i == 0 ? Direction::kToAppliance : Direction::kToHost, i == 0 ? upstream : client)) return;
    }
  }
}

bool LinkFaultProxy::Pump(Stream& s, Direction d, int to) {
  for (;;) {
    // Bytes before a sync pair are no frame: pass them on as they are.
    size_t sync = 0;
    while (sync + 1 < s.buf.size() && !(s.buf[sync] == kSync0 && s.buf[sync + 1] == kSync1)) ++sync;
    if (sync + 1 >= s.buf.size()) sync = s.buf.size() > 0 && s.buf.back() == kSync0 ? s.buf.size() - 1 : s.buf.size();
    if (sync > 0) {
      if (!WriteAll(to, s.buf.data(), sync)) return false;
      s.buf.erase(s.buf.begin(), s.buf.begin() + static_cast<long>(sync));
    }
    if (s.buf.size() < kHeader) return true;
    const size_t len = (size_t{s.buf[4]} << 8) | s.buf[5];
    if (len > kMaxPayload) {  // not a frame we can measure: pass the sync byte on, rescan
      if (!WriteAll(to, s.buf.data(), 1)) return false;
      s.buf.erase(s.buf.begin());
      continue;
    }
    if (s.buf.size() < kHeader + len + kCrc) return true;
    std::vector<uint8_t> frame(s.buf.begin(), s.buf.begin() + static_cast<long>(kHeader + len + kCrc));
    s.buf.erase(s.buf.begin(), s.buf.begin() + static_cast<long>(frame.size()));
    frames_seen_.fetch_add(1);
    const std::string message = MessageOf(d, frame);
    const Fault f = Decide(d, message);
    if (f != Fault::kNone) {
      std::lock_guard<std::mutex> lock(mu_);
      const int n = counts_[{static_cast<int>(d), message}];
      log_.push_back(std::string(DirName(d)) + " " + message + " #" + std::to_string(n) + ": " + FaultName(f));
    }
    if (f == Fault::kDisconnect) return false;
    std::vector<uint8_t> late;
    late.swap(s.late);
    if (f == Fault::kLateCopy) s.late = frame;
    if (!Emit(to, frame, f)) return false;
    if (!late.empty() && !WriteAll(to, late.data(), late.size())) return false;
  }
}

bool LinkFaultProxy::Emit(int to, const std::vector<uint8_t>& bytes, Fault how) {
  switch (how) {
    case Fault::kDrop:
      return true;
    case Fault::kDisconnect:
      return false;
    case Fault::kDuplicate:
      return WriteAll(to, bytes.data(), bytes.size()) && WriteAll(to, bytes.data(), bytes.size());
    case Fault::kCorrupt: {
      std::vector<uint8_t> bad = bytes;
      const size_t at = 2 + rng_() % (bad.size() - 2);  // keep the sync: the frame is seen, then fails
      bad[at] ^= static_cast<uint8_t>(1u << (rng_() % 8));
      return WriteAll(to, bad.data(), bad.size());
    }
    case Fault::kSplit: {
      for (size_t off = 0; off < bytes.size();) {
        const size_t n = std::min<size_t>(1 + rng_() % 64, bytes.size() - off);
        if (!WriteAll(to, bytes.data() + off, n)) return false;
        off += n;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      return true;
    }
    case Fault::kNoise: {
      std::vector<uint8_t> noise(1 + rng_() % 32);
      for (uint8_t& b : noise) b = static_cast<uint8_t>(rng_() % 0xA5);  // never a sync byte
      return WriteAll(to, noise.data(), noise.size()) && WriteAll(to, bytes.data(), bytes.size());
    }
    case Fault::kNone:
    case Fault::kLateCopy:
      return WriteAll(to, bytes.data(), bytes.size());
  }
  return false;
}

Fault LinkFaultProxy::Decide(Direction d, const std::string& message) {
  int n = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = ++counts_[{static_cast<int>(d), message}];
  }
  for (const FaultRule& r : rules_) {
    if (r.direction == d && r.message == message && r.occurrence == n) return r.fault;
  }
  std::uniform_real_distribution<double> u(0, 1);
  const double x = u(rng_);
  double acc = 0;
  const std::pair<double, Fault> table[] = {{random_.drop, Fault::kDrop},           {random_.duplicate, Fault::kDuplicate},
                                            {random_.late_copy, Fault::kLateCopy}, {random_.corrupt, Fault::kCorrupt},
                                            {random_.split, Fault::kSplit},        {random_.noise, Fault::kNoise}};
  for (const auto& [p, f] : table) {
    acc += p;
    if (x < acc) return f;
  }
  return Fault::kNone;
}

std::string LinkFaultProxy::MessageOf(Direction d, const std::vector<uint8_t>& frame) {
  const int len = static_cast<int>(frame.size() - kHeader - kCrc);
  google::protobuf::Message* m = nullptr;
  appliance::v1::Request req;
  appliance::v1::Response resp;
  if (d == Direction::kToAppliance) {
    m = &req;
  } else {
    m = &resp;
  }
  if (!m->ParseFromArray(frame.data() + kHeader, len)) return "undecodable";
  const auto* oneof = m->GetDescriptor()->FindOneofByName("body");
  const auto* field = oneof == nullptr ? nullptr : m->GetReflection()->GetOneofFieldDescriptor(*m, oneof);
  std::string name = field == nullptr ? "empty" : field->name();
  if (d == Direction::kToHost && resp.has_error()) name += "(" + resp.error().message() + ")";
  return name;
}

}  // namespace pki::testing
