#include "hw/host/getrandom_entropy.h"

#include <sys/random.h>

#include <cerrno>

#include "base/secret.h"

namespace pki::hw::host {

Status GetrandomEntropy::Fill(MutableByteSpan out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      SecureZero(out.data(), out.size());
      return UnavailableError("getrandom failed");
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

}  // namespace pki::hw::host
