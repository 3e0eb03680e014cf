#include "common/ossl.h"

#include <openssl/err.h>

namespace pki {

std::string OpenSslErrors() {
  std::string out;
  unsigned long e;  // NOLINT(google-runtime-int): OpenSSL's type
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Status OsslError(StatusCode code, std::string_view what) {
  Status s(code, what);
  std::string errs = OpenSslErrors();
  if (!errs.empty()) s.Append(": ").Append(errs);
  return s;
}

}  // namespace pki
