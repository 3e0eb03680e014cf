// metrics.h — request counters, a latency histogram and key health, rendered
// in the Prometheus text exposition format.
#ifndef PKI_SIGNER_SERVER_METRICS_H_
#define PKI_SIGNER_SERVER_METRICS_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "signer/key_pool.h"

namespace pki::signer {

class Metrics final {
 public:
  // Upper bounds (seconds) of the latency histogram buckets, +Inf implied.
  static constexpr std::array<double, 13> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1.0,   2.5,  5.0};

  // RecordRequest counts one finished request of |method| with |code|.
  void RecordRequest(std::string_view method, StatusCode code, std::chrono::microseconds latency);

  // Render returns the exposition text: signer_requests_total{method,code},
  // signer_request_duration_seconds{method} (histogram), signer_key_up and
  // signer_key_replicas_healthy{key,version} from |keys|, and the audit log's
  // last sequence number and health. Never fails.
  std::string Render(const std::vector<KeyVersionInfo>& keys, uint64_t audit_last_seq,
                     bool audit_healthy) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // non-cumulative counts
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_SERVER_METRICS_H_
