// Fuzzes the host's CSR and certificate readers (common/pem.h): any bytes
// must give a value or a clean error, never a crash, leak or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/pem.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto csr = pki::ParseCsr(in);
  if (csr.ok()) {
    // A parsed CSR must re-encode.
    unsigned char* der = nullptr;
    int len = i2d_X509_REQ(csr->get(), &der);
    if (len > 0) OPENSSL_free(der);
  }
  auto certs = pki::ParseCertificates(in);
  (void)certs;
  pki::OpenSslErrors();
  return 0;
}
