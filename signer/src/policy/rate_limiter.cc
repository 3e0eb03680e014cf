#include "policy/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace pki::signer {

TokenBucket::TokenBucket(double rate_per_second, uint32_t burst)
    : rate_(rate_per_second), burst_(std::max<double>(1.0, burst)), tokens_(burst_) {}

bool TokenBucket::Take(std::chrono::steady_clock::time_point now,
                       std::chrono::milliseconds* out_retry_after) {
  if (rate_ <= 0) return true;
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ && now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  }
  if (!started_ || now > last_) last_ = now;
  started_ = true;
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return true;
  }
  const double wait_s = (1.0 - tokens_) / rate_;
  const auto ms = static_cast<int64_t>(std::ceil(wait_s * 1000.0));
  *out_retry_after = std::chrono::milliseconds(std::max<int64_t>(1, ms));
  return false;
}

}  // namespace pki::signer
