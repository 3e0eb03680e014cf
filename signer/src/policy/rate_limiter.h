// rate_limiter.h — a thread-safe token bucket (rate per second + burst).
#ifndef PKI_SIGNER_POLICY_RATE_LIMITER_H_
#define PKI_SIGNER_POLICY_RATE_LIMITER_H_

#include <chrono>
#include <cstdint>
#include <mutex>

namespace pki::signer {

class TokenBucket final {
 public:
  // A bucket refilled at |rate_per_second| tokens/s up to |burst|, starting
  // full. A rate of 0 means unlimited (Take always succeeds).
  TokenBucket(double rate_per_second, uint32_t burst);

  // Take removes one token at time |now|; returns false if none is left and
  // sets |out_retry_after| (non-null) to the wait until one is, rounded up
  // to whole milliseconds (at least 1).
  bool Take(std::chrono::steady_clock::time_point now, std::chrono::milliseconds* out_retry_after);

 private:
  const double rate_;
  const double burst_;
  std::mutex mu_;
  double tokens_;
  std::chrono::steady_clock::time_point last_{};
  bool started_ = false;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_POLICY_RATE_LIMITER_H_
