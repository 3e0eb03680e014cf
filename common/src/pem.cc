#include "common/pem.h"

#include <openssl/pem.h>

namespace pki {
namespace {

OsslPtr<BIO> MemBio(std::string_view data) {
  return OsslPtr<BIO>(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

bool LooksLikePem(std::string_view data) { return data.find("-----BEGIN ") != std::string_view::npos; }

StatusOr<std::string> BioToString(BIO& bio) {
  char* ptr = nullptr;
  long len = BIO_get_mem_data(&bio, &ptr);  // NOLINT(google-runtime-int)
  if (len < 0 || ptr == nullptr) return InternalError("empty memory BIO");
  return std::string(ptr, static_cast<size_t>(len));
}

}  // namespace

StatusOr<std::vector<OsslPtr<X509>>> ParseCertificates(std::string_view data) {
  if (data.size() > (16u << 20)) return InvalidArgumentError("certificate input too large");
  std::vector<OsslPtr<X509>> out;
  if (LooksLikePem(data)) {
    auto bio = MemBio(data);
    while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(c);
    OpenSslErrors();  // reaching the end of the PEM stream leaves an error behind
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(data.data());
    X509* c = d2i_X509(nullptr, &p, static_cast<long>(data.size()));  // NOLINT
    if (c != nullptr) out.emplace_back(c);
    if (c != nullptr && p != reinterpret_cast<const unsigned char*>(data.data()) + data.size()) {
      return InvalidArgumentError("trailing bytes after DER certificate");
    }
  }
  if (out.empty()) return OsslError(StatusCode::kInvalidArgument, "no certificate could be parsed");
  return out;
}

StatusOr<OsslPtr<X509_REQ>> ParseCsr(std::string_view data) {
  if (data.size() > (1u << 20)) return InvalidArgumentError("CSR input too large");
  X509_REQ* req = nullptr;
  if (LooksLikePem(data)) {
    auto bio = MemBio(data);
    req = PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr);
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(data.data());
    req = d2i_X509_REQ(nullptr, &p, static_cast<long>(data.size()));  // NOLINT
    if (req != nullptr && p != reinterpret_cast<const unsigned char*>(data.data()) + data.size()) {
      X509_REQ_free(req);
      return InvalidArgumentError("trailing bytes after DER CSR");
    }
  }
  if (req == nullptr) return OsslError(StatusCode::kInvalidArgument, "CSR could not be parsed");
  return OsslPtr<X509_REQ>(req);
}

StatusOr<std::string> CertificateToDer(X509& cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(&cert, &der);
  if (len <= 0) return OsslError(StatusCode::kInternal, "i2d_X509");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

StatusOr<std::string> CertificateToPem(X509& cert) {
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), &cert) != 1) {
    return OsslError(StatusCode::kInternal, "PEM_write_bio_X509");
  }
  return BioToString(*bio);
}

std::string DerToPem(std::string_view label, std::string_view der) {
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  std::string name(label);
  PEM_write_bio(bio.get(), name.c_str(), "", reinterpret_cast<const unsigned char*>(der.data()),
                static_cast<long>(der.size()));  // NOLINT(google-runtime-int)
  auto s = BioToString(*bio);
  return s.ok() ? *s : std::string();
}

}  // namespace pki
