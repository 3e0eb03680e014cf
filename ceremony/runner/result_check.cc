#include "ceremony/runner/result_check.h"

#include <string>

namespace pki::ceremony {
namespace {

template <typename T, typename F>
std::string Encode(T* object, F i2d) {
  unsigned char* buf = nullptr;
  const int len = i2d(object, &buf);
  if (len <= 0) return "";
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

}  // namespace

StatusOr<OsslPtr<EVP_PKEY>> RootPublicKey(std::string_view root_der) {
  const auto* p = reinterpret_cast<const unsigned char*>(root_der.data());
  OsslPtr<X509> root(d2i_X509(nullptr, &p, static_cast<long>(root_der.size())));
  if (!root) return OsslError(StatusCode::kInvalidArgument, "root certificate does not parse");
  OsslPtr<EVP_PKEY> key(X509_get_pubkey(root.get()));
  if (!key) return OsslError(StatusCode::kInvalidArgument, "root certificate has no usable key");
  if (X509_verify(root.get(), key.get()) != 1) {
    return OsslError(StatusCode::kInvalidArgument, "root certificate is not self-signed by its key");
  }
  return key;
}

Status CheckCertificate(std::string_view cert_der, std::string_view previewed_tbs, EVP_PKEY& root_key) {
  const auto* p = reinterpret_cast<const unsigned char*>(cert_der.data());
  OsslPtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(cert_der.size())));
  if (!cert || p != reinterpret_cast<const unsigned char*>(cert_der.data()) + cert_der.size()) {
    return OsslError(StatusCode::kDataLoss, "released certificate does not parse as one DER certificate");
  }
  if (!previewed_tbs.empty() && Encode(cert.get(), i2d_re_X509_tbs) != previewed_tbs) {
    return DataLossError("released certificate's TBSCertificate differs from the previewed bytes");
  }
  if (X509_verify(cert.get(), &root_key) != 1) {
    return OsslError(StatusCode::kDataLoss, "released certificate does not verify under the root key");
  }
  return OkStatus();
}

Status CheckCrl(std::string_view crl_der, std::string_view previewed_tbs, EVP_PKEY& root_key) {
  const auto* p = reinterpret_cast<const unsigned char*>(crl_der.data());
  OsslPtr<X509_CRL> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(crl_der.size())));
  if (!crl || p != reinterpret_cast<const unsigned char*>(crl_der.data()) + crl_der.size()) {
    return OsslError(StatusCode::kDataLoss, "released CRL does not parse as one DER CRL");
  }
  if (!previewed_tbs.empty() && Encode(crl.get(), i2d_re_X509_CRL_tbs) != previewed_tbs) {
    return DataLossError("released CRL's TBSCertList differs from the previewed bytes");
  }
  if (X509_CRL_verify(crl.get(), &root_key) != 1) {
    return OsslError(StatusCode::kDataLoss, "released CRL does not verify under the root key");
  }
  return OkStatus();
}

}  // namespace pki::ceremony
