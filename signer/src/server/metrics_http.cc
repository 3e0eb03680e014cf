#include "server/metrics_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace pki::signer {

StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& address, std::function<std::string()> render) {
  std::vector<HttpRoute> routes;
  routes.push_back({"/metrics", "text/plain; version=0.0.4", std::move(render)});
  return Start(address, std::move(routes));
}

StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(const std::string& address,
                                                                      std::vector<HttpRoute> routes) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return InvalidArgumentError("metrics address must be host:port");
  const std::string host = address.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (...) {
    return InvalidArgumentError("metrics address: bad port");
  }
  if (port < 0 || port > 65535) return InvalidArgumentError("metrics address: bad port");
  const bool v6 = host == "[::1]";
  if (!v6 && host != "127.0.0.1" && host != "localhost") {
    return InvalidArgumentError("metrics address must be loopback");
  }
  std::unique_ptr<MetricsHttpServer> s(new MetricsHttpServer());
  s->routes_ = std::move(routes);
  s->fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->fd_ < 0) return UnavailableError("metrics: socket failed");
  const int one = 1;
  ::setsockopt(s->fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  int rc;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    a.sin6_port = htons(static_cast<uint16_t>(port));
    rc = ::bind(s->fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    rc = ::bind(s->fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  }
  if (rc != 0 || ::listen(s->fd_, 16) != 0) {
    return UnavailableError("metrics: cannot listen on ").Append(address).Append(": ").Append(std::strerror(errno));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  ::getsockname(s->fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  s->port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                      : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  s->thread_ = std::thread([raw = s.get()] { raw->Loop(); });
  return s;
}

MetricsHttpServer::~MetricsHttpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void MetricsHttpServer::Loop() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    timeval tv{2, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    std::string req;
    char buf[1024];
    while (req.size() < 8192 && req.find("\r\n\r\n") == std::string::npos &&
           req.find("\n\n") == std::string::npos) {
      const ssize_t n = ::recv(c, buf, sizeof(buf), 0);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    std::string body = "not found\n";
    std::string status = "404 Not Found";
    std::string type = "text/plain";
    for (const HttpRoute& r : routes_) {
      const std::string get = "GET " + r.path;
      if (req.rfind(get, 0) != 0 || req.size() == get.size()) continue;
      const char next = req[get.size()];
      if (next != ' ' && next != '\r' && next != '\n' && next != '?') continue;
      status = "200 OK";
      type = r.content_type;
      body = r.render();
      break;
    }
    const std::string resp = "HTTP/1.0 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    size_t off = 0;
    while (off < resp.size()) {
      const ssize_t n = ::send(c, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(c);
  }
}

}  // namespace pki::signer
