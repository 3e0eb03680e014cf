#include "csr.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>

#include "common/ossl.h"
#include "hsm_sign.h"

namespace pki::signerctl {
namespace {

struct AlgorDeleter {
  void operator()(X509_ALGOR* p) const { X509_ALGOR_free(p); }
};

// ParseSubject parses "/K=V/K=V" (a '\/' escapes a slash in a value).
StatusOr<OsslPtr<X509_NAME>> ParseSubject(const std::string& subject) {
  if (subject.empty() || subject[0] != '/') {
    return InvalidArgumentError("subject must look like /CN=name/O=org");
  }
  OsslPtr<X509_NAME> name(X509_NAME_new());
  if (!name) return OsslError(StatusCode::kInternal, "X509_NAME_new");
  size_t i = 1;
  while (i < subject.size()) {
    std::string part;
    while (i < subject.size() && subject[i] != '/') {
      if (subject[i] == '\\' && i + 1 < subject.size()) ++i;
      part.push_back(subject[i++]);
    }
    ++i;  // the '/'
    size_t eq = part.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == part.size()) {
      return InvalidArgumentError("subject component '").Append(part).Append("' is not KEY=value");
    }
    std::string key = part.substr(0, eq);
    std::string value = part.substr(eq + 1);
    if (X509_NAME_add_entry_by_txt(name.get(), key.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) != 1) {
      OpenSslErrors();
      return InvalidArgumentError("subject: unknown attribute '").Append(key).Append("'");
    }
  }
  if (X509_NAME_entry_count(name.get()) == 0) return InvalidArgumentError("subject is empty");
  return name;
}

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter>;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ValidDnsName: letters, digits, '-', '.', a leading "*." wildcard; no empty label.
bool ValidDnsName(const std::string& v) {
  if (v.empty() || v.size() > 253 || v.front() == '.' || v.back() == '.') return false;
  if (v.find("..") != std::string::npos) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (std::isalnum(c) || c == '-' || c == '.') continue;
    if (c == '*' && i == 0 && v.size() > 2 && v[1] == '.') continue;
    return false;
  }
  return true;
}

// ParseSans parses "TYPE:VALUE" entries into GeneralNames.
StatusOr<GeneralNamesPtr> ParseSans(const std::vector<std::string>& sans) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return OsslError(StatusCode::kInternal, "GENERAL_NAMES");
  for (const std::string& san : sans) {
    const size_t colon = san.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == san.size()) {
      return InvalidArgumentError("--san '").Append(san).Append("' is not TYPE:VALUE (DNS, IP, URI or email)");
    }
    const std::string type = Lower(san.substr(0, colon));
    const std::string value = san.substr(colon + 1);
    int gen = 0;
    bool ok = true;
    if (type == "dns") {
      gen = GEN_DNS;
      ok = ValidDnsName(value);
    } else if (type == "ip") {
      gen = GEN_IPADD;
    } else if (type == "uri") {
      gen = GEN_URI;
      const size_t c = value.find(':');
      ok = c != std::string::npos && c > 0 && value.find_first_of(" \t\r\n") == std::string::npos;
    } else if (type == "email") {
      gen = GEN_EMAIL;
      const size_t at = value.find('@');
      ok = at != std::string::npos && at > 0 && at + 1 < value.size() && value.find('@', at + 1) == std::string::npos &&
           value.find_first_of(" \t\r\n") == std::string::npos;
    } else {
      return InvalidArgumentError("--san '").Append(san).Append("': unknown type '").Append(san.substr(0, colon))
          .Append("' (DNS, IP, URI or email)");
    }
    GENERAL_NAME* g = ok ? a2i_GENERAL_NAME(nullptr, nullptr, nullptr, gen, value.c_str(), 0) : nullptr;
    if (g == nullptr) {
      OpenSslErrors();
      return InvalidArgumentError("--san '").Append(san).Append("': not a valid ").Append(san.substr(0, colon));
    }
    if (sk_GENERAL_NAME_push(names.get(), g) <= 0) {
      GENERAL_NAME_free(g);
      return OsslError(StatusCode::kInternal, "GENERAL_NAMES push");
    }
  }
  return names;
}

// AddSanRequest adds |names| as a requested subjectAltName extension.
Status AddSanRequest(X509_REQ& req, GENERAL_NAMES& names) {
  STACK_OF(X509_EXTENSION)* exts = nullptr;
  if (X509V3_add1_i2d(&exts, NID_subject_alt_name, &names, 0, X509V3_ADD_DEFAULT) != 1) {
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return OsslError(StatusCode::kInternal, "encoding subjectAltName");
  }
  const int ok = X509_REQ_add_extensions(&req, exts);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  if (ok != 1) return OsslError(StatusCode::kInternal, "adding the extension request");
  return OkStatus();
}

}  // namespace

StatusOr<std::string> MakeCsr(HsmSession& hsm, const std::string& label, const std::string& subject,
                              const std::vector<std::string>& sans) {
  PKI_ASSIGN_OR_RETURN(OsslPtr<X509_NAME> name, ParseSubject(subject));
  PKI_ASSIGN_OR_RETURN(GeneralNamesPtr san_names, ParseSans(sans));
  PKI_ASSIGN_OR_RETURN(LocatedKey key, hsm.FindKey(label));
  const std::string& spki = key.public_key.spki_der;
  const auto* p = reinterpret_cast<const unsigned char*>(spki.data());
  OsslPtr<EVP_PKEY> pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!pub) return OsslError(StatusCode::kInternal, "public key of the HSM key");

  OsslPtr<X509_REQ> req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1 ||
      X509_REQ_set_subject_name(req.get(), name.get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), pub.get()) != 1) {
    return OsslError(StatusCode::kInternal, "building the CSR");
  }
  if (sk_GENERAL_NAME_num(san_names.get()) > 0) PKI_RETURN_IF_ERROR(AddSanRequest(*req, *san_names));
  signer::SignAlgorithm alg = DefaultAlgorithm(key.public_key.kind);
  int sig_nid = NID_undef;
  const EVP_MD* md = nullptr;
  int param_type = V_ASN1_UNDEF;
  switch (alg) {
    case signer::SignAlgorithm::kEcdsaP256Sha256:
      sig_nid = NID_ecdsa_with_SHA256;
      md = EVP_sha256();
      break;
    case signer::SignAlgorithm::kEcdsaP384Sha384:
      sig_nid = NID_ecdsa_with_SHA384;
      md = EVP_sha384();
      break;
    case signer::SignAlgorithm::kRsaPkcs1Sha256:
      sig_nid = NID_sha256WithRSAEncryption;
      md = EVP_sha256();
      param_type = V_ASN1_NULL;
      break;
    case signer::SignAlgorithm::kEd25519:
      sig_nid = NID_ED25519;
      break;
    default:
      return InternalError("no CSR algorithm for this key");
  }
  // The CertificationRequestInfo does not include the signature algorithm:
  // encode it, sign it in the token, then attach algorithm and signature.
  unsigned char* tbs = nullptr;
  int tbs_len = i2d_re_X509_REQ_tbs(req.get(), &tbs);
  if (tbs_len <= 0) return OsslError(StatusCode::kInternal, "encoding the CSR");
  std::string tbs_der(reinterpret_cast<char*>(tbs), static_cast<size_t>(tbs_len));
  OPENSSL_free(tbs);
  std::string input;
  if (md != nullptr) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_Digest(tbs_der.data(), tbs_der.size(), digest, &digest_len, md, nullptr) != 1) {
      return OsslError(StatusCode::kInternal, "hashing the CSR");
    }
    input.assign(reinterpret_cast<char*>(digest), digest_len);
  } else {
    input = tbs_der;
  }
  PKI_ASSIGN_OR_RETURN(std::string sig, SignInToken(hsm, key.handle, alg, AsBytes(input)));

  std::unique_ptr<X509_ALGOR, AlgorDeleter> algor(X509_ALGOR_new());
  if (!algor || X509_ALGOR_set0(algor.get(), OBJ_nid2obj(sig_nid), param_type, nullptr) != 1 ||
      X509_REQ_set1_signature_algo(req.get(), algor.get()) != 1) {
    return OsslError(StatusCode::kInternal, "setting the CSR signature algorithm");
  }
  ASN1_BIT_STRING* bits = ASN1_BIT_STRING_new();
  if (bits == nullptr ||
      ASN1_BIT_STRING_set(bits, reinterpret_cast<unsigned char*>(sig.data()), static_cast<int>(sig.size())) != 1) {
    ASN1_BIT_STRING_free(bits);
    return OsslError(StatusCode::kInternal, "setting the CSR signature");
  }
  // No unused bits: keep every byte (else trailing zero bytes are trimmed).
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(req.get(), bits);

  if (X509_REQ_verify(req.get(), pub.get()) != 1) {
    return OsslError(StatusCode::kInternal, "the CSR signed by the token does not verify");
  }
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) {
    return OsslError(StatusCode::kInternal, "writing the CSR");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace pki::signerctl
