// metrics_http.h — a tiny HTTP/1.0 responder for Prometheus scrapes and the
// status page.
//
// Serves GET of a few fixed paths (/metrics, /status) on a loopback address
// from one thread; every other request gets 404. Read-only. Reads at most 8 KiB of request with a 2 s timeout, so a
// slow or hostile peer cannot hold it.
#ifndef PKI_SIGNER_SERVER_METRICS_HTTP_H_
#define PKI_SIGNER_SERVER_METRICS_HTTP_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/status_or.h"

namespace pki::signer {

// One path served: GET |path| answers 200 with |render()| as |content_type|.
struct HttpRoute {
  std::string path;  // e.g. "/metrics"
  std::string content_type;
  std::function<std::string()> render;  // called on the server thread
};

class MetricsHttpServer final {
 public:
  // Start listens on |address| (as below) and serves |routes| (moved).
  static StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& address,
                                                            std::vector<HttpRoute> routes);
  // Start listens on |address| ("127.0.0.1:port", "[::1]:port" or
  // "localhost:port"; port 0 picks one) and serves |render()| (copied; called
  // on the server thread). INVALID_ARGUMENT for a non-loopback address,
  // UNAVAILABLE if it can't bind. Returns a server the caller owns.
  static StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& address,
                                                            std::function<std::string()> render);
  ~MetricsHttpServer();

  int port() const { return port_; }

 private:
  MetricsHttpServer() = default;
  void Loop();

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<HttpRoute> routes_;
  std::thread thread_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_METRICS_HTTP_H_
