#include "status.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/file.h"

namespace pki::signerctl {
namespace {

constexpr size_t kMaxPage = 4u << 20;

struct Address {
  bool v6 = false;
  uint16_t port = 0;
};

StatusOr<Address> ParseAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    return InvalidArgumentError("admin address must be host:port, got '").Append(address).Append("'");
  }
  const std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgumentError("admin address: bad port in '").Append(address).Append("'");
  }
  const unsigned long p = std::stoul(port);
  if (p == 0 || p > 65535) return InvalidArgumentError("admin address: bad port in '").Append(address).Append("'");
  Address a;
  a.port = static_cast<uint16_t>(p);
  if (host == "[::1]") {
    a.v6 = true;
  } else if (host != "127.0.0.1" && host != "localhost") {
    return InvalidArgumentError("admin address must be loopback (127.0.0.1, localhost, [::1]), got '")
        .Append(address)
        .Append("'");
  }
  return a;
}

// Fd closes a socket at scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool WaitFor(int fd, short events, std::chrono::steady_clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, static_cast<int>(left.count())) == 1;
}

// Table prints rows as left-aligned columns separated by two spaces.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string S(const YAML::Node& n, const char* key) {
  const YAML::Node v = n[key];
  if (!v || !v.IsScalar()) return "";
  return v.as<std::string>();
}
std::string Dash(const std::string& s) { return s.empty() ? "-" : s; }
bool B(const YAML::Node& n, const char* key) { return S(n, key) == "true"; }

}  // namespace

StatusOr<std::string> AdminAddressFromConfig(const std::string& path) {
  PKI_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1u << 20));
  std::string listen;
  try {
    const YAML::Node root = YAML::Load(text);
    const YAML::Node server = root["server"];
    if (server && server.IsMap() && server["metrics_listen"] && server["metrics_listen"].IsScalar()) {
      listen = server["metrics_listen"].as<std::string>();
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("").Append(path).Append(": not YAML: ").Append(e.what());
  }
  if (listen.empty()) {
    return FailedPreconditionError("").Append(path).Append(
        ": server.metrics_listen is not set, so signerd serves no status page");
  }
  if (listen.size() >= 2 && listen.compare(listen.size() - 2, 2, ":0") == 0) {
    return FailedPreconditionError("").Append(path).Append(
        ": server.metrics_listen has port 0 (chosen at start); pass --admin 127.0.0.1:PORT "
        "from signerd's 'metrics on' line");
  }
  return listen;
}

StatusOr<std::string> FetchStatus(const std::string& address, std::chrono::milliseconds timeout) {
  PKI_ASSIGN_OR_RETURN(Address a, ParseAddress(address));
  const auto until = std::chrono::steady_clock::now() + timeout;
  Fd s;
  s.fd = ::socket(a.v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s.fd < 0) return UnavailableError("socket: ").Append(std::strerror(errno));
  int rc;
  if (a.v6) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    sa.sin6_port = htons(a.port);
    rc = ::connect(s.fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(a.port);
    rc = ::connect(s.fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  }
  int err = rc == 0 ? 0 : errno;
  if (err == EINPROGRESS) {
    if (!WaitFor(s.fd, POLLOUT, until)) {
      return UnavailableError("signerd does not answer at ").Append(address).Append(" (connect timed out)");
    }
    socklen_t len = sizeof(err);
    ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
  }
  if (err != 0) {
    return UnavailableError("signerd is not reachable at ")
        .Append(address)
        .Append(" (")
        .Append(std::strerror(err))
        .Append("); is it running, with metrics_listen there?");
  }
  const std::string req = "GET /status HTTP/1.0\r\nHost: localhost\r\n\r\n";
  size_t off = 0;
  while (off < req.size()) {
    if (!WaitFor(s.fd, POLLOUT, until)) return UnavailableError("signerd at ").Append(address).Append(" timed out");
    const ssize_t n = ::send(s.fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return UnavailableError("signerd at ").Append(address).Append(" closed the connection");
    off += static_cast<size_t>(n);
  }
  std::string resp;
  char buf[4096];
  while (resp.size() < kMaxPage) {
    if (!WaitFor(s.fd, POLLIN, until)) return UnavailableError("signerd at ").Append(address).Append(" timed out");
    const ssize_t n = ::recv(s.fd, buf, sizeof(buf), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  const size_t body = resp.find("\r\n\r\n");
  if (resp.rfind("HTTP/1.", 0) != 0 || body == std::string::npos) {
    return DataLossError("no HTTP answer from ").Append(address);
  }
  const std::string status_line = resp.substr(0, resp.find("\r\n"));
  if (status_line.find(" 200 ") == std::string::npos) {
    return DataLossError("").Append(address).Append(" has no status page (")
        .Append(status_line)
        .Append("): an older signerd, or not signerd?");
  }
  return resp.substr(body + 4);
}

StatusOr<std::string> FormatStatus(const std::string& json) {
  YAML::Node root;
  try {
    root = YAML::Load(json);
  } catch (const YAML::Exception& e) {
    return DataLossError("status page does not parse: ").Append(e.what());
  }
  if (!root.IsMap() || S(root, "schema") != "signerd-status/1") {
    return DataLossError("not a signerd-status/1 page");
  }
  std::string out;
  const YAML::Node server = root["server"];
  out += "signerd " + S(server, "listen") + "  started " + S(server, "started") + "  now " + S(server, "now") + "\n";
  const YAML::Node audit = root["audit"];
  out += std::string("audit log: ") + (B(audit, "healthy") ? "healthy" : "UNHEALTHY (requests refused)") +
         ", last seq " + S(audit, "last_seq") + "\n\n";

  std::vector<std::vector<std::string>> rows = {
      {"TOKEN", "STATE", "SINCE", "REASON", "SESSIONS", "QUEUED", "SIGNATURES", "FAILURES", "REINITS", "LAST ERROR"}};
  for (const YAML::Node& t : root["tokens"]) {
    const bool in = S(t, "state") == "in-rotation";
    rows.push_back({Dash(S(t, "label")), in ? "in rotation" : "OUT OF ROTATION", Dash(S(t, "since")),
                    Dash(S(t, "reason")), S(t, "sessions_open") + "/" + S(t, "sessions_max"), S(t, "queued"),
                    S(t, "signatures"), S(t, "failures"), S(t, "reinitializations"), Dash(S(t, "last_error"))});
  }
  out += rows.size() > 1 ? Table(rows) : "no PKCS#11 tokens reported\n";
  out += "\n";

  rows = {{"KEY", "VERSION", "PRIMARY", "PURPOSE", "HEALTH", "REPLICAS UP", "SERVED BY", "CERT NOT AFTER"}};
  for (const YAML::Node& k : root["keys"]) {
    std::string served;
    for (const YAML::Node& r : k["replicas"]) {
      if (!B(r, "in_rotation")) continue;
      if (!served.empty()) served += ",";
      served += Dash(S(r, "label"));
    }
    if (!k["replicas"] || k["replicas"].size() == 0) served = "(not reported)";
    rows.push_back({S(k, "name"), S(k, "version"), B(k, "primary") ? "yes" : "no", S(k, "purpose"),
                    S(k, "health"), S(k, "replicas_healthy") + "/" + S(k, "replicas_total"), Dash(served),
                    Dash(S(k, "not_after"))});
  }
  out += rows.size() > 1 ? Table(rows) : "no keys configured\n";

  rows = {{"CLIENT CRL", "ISSUER", "NEXT UPDATE", "STATE", "REVOKED"}};
  for (const YAML::Node& c : root["client_crls"]) {
    rows.push_back({S(c, "file"), S(c, "issuer"), Dash(S(c, "next_update")),
                    B(c, "stale") ? "STALE (its clients are refused)" : "fresh", S(c, "revoked")});
  }
  if (rows.size() > 1) out += "\n" + Table(rows);
  return out;
}

}  // namespace pki::signerctl
