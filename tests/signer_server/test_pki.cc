#include "test_pki.h"

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pki::testing {
namespace {

OsslPtr<EVP_PKEY> NewKey() {
  OsslPtr<EVP_PKEY> k(EVP_EC_gen("P-256"));
  PKI_CHECK(k != nullptr);
  return k;
}

OsslPtr<X509_NAME> Name(const std::string& slash_form) {
  OsslPtr<X509_NAME> n(X509_NAME_new());
  std::stringstream ss(slash_form);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    PKI_CHECK(eq != std::string::npos);
    PKI_CHECK(X509_NAME_add_entry_by_txt(n.get(), part.substr(0, eq).c_str(), MBSTRING_ASC,
                                         reinterpret_cast<const unsigned char*>(part.c_str() + eq + 1),
                                         -1, -1, 0) == 1);
  }
  return n;
}

void AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  PKI_CHECK(ext != nullptr);
  PKI_CHECK(X509_add_ext(cert, ext.get(), -1) == 1);
}

OsslPtr<X509> MakeCert(EVP_PKEY* key, const std::string& subject, X509* issuer, EVP_PKEY* issuer_key,
                       long serial, bool ca, const std::string& san, bool server) {
  OsslPtr<X509> c(X509_new());
  X509_set_version(c.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), 86400);
  auto name = Name(subject);
  X509_set_subject_name(c.get(), name.get());
  X509_set_issuer_name(c.get(), issuer ? X509_get_subject_name(issuer) : name.get());
  X509_set_pubkey(c.get(), key);
  X509* iss = issuer ? issuer : c.get();
  AddExt(c.get(), iss, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  AddExt(c.get(), iss, NID_subject_key_identifier, "hash");
  AddExt(c.get(), iss, NID_authority_key_identifier, "keyid");
  if (ca) {
    AddExt(c.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExt(c.get(), iss, NID_key_usage, "critical,digitalSignature");
    AddExt(c.get(), iss, NID_ext_key_usage, server ? "serverAuth" : "clientAuth");
  }
  if (!san.empty()) AddExt(c.get(), iss, NID_subject_alt_name, san);
  PKI_CHECK(X509_sign(c.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0);
  return c;
}

std::string CertPem(X509* c) {
  OsslPtr<BIO> b(BIO_new(BIO_s_mem()));
  PKI_CHECK(PEM_write_bio_X509(b.get(), c) == 1);
  char* d = nullptr;
  const long n = BIO_get_mem_data(b.get(), &d);
  return std::string(d, static_cast<size_t>(n));
}

std::string KeyPem(EVP_PKEY* k) {
  OsslPtr<BIO> b(BIO_new(BIO_s_mem()));
  PKI_CHECK(PEM_write_bio_PrivateKey(b.get(), k, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* d = nullptr;
  const long n = BIO_get_mem_data(b.get(), &d);
  return std::string(d, static_cast<size_t>(n));
}

Credential Save(const std::string& dir, const std::string& name, X509* c, EVP_PKEY* k) {
  Credential cred;
  cred.cert_pem = CertPem(c);
  cred.key_pem = KeyPem(k);
  cred.cert_file = dir + "/" + name + ".pem";
  cred.key_file = dir + "/" + name + ".key";
  WriteText(cred.cert_file, cred.cert_pem);
  WriteText(cred.key_file, cred.key_pem, 0600);
  return cred;
}

}  // namespace

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  PKI_CHECK(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteText(const std::string& path, const std::string& text, int mode) {
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << text; }
  PKI_CHECK(::chmod(path.c_str(), static_cast<mode_t>(mode)) == 0);
}

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + ".XXXXXX";
  PKI_CHECK(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

TestPki::TestPki(const std::string& dir) : dir_(dir) {
  ca_key_ = NewKey();
  ca_cert_ = MakeCert(ca_key_.get(), "/O=Example/CN=Signer Client CA", nullptr, nullptr, serial_++, true, "", false);
  ca_pem = CertPem(ca_cert_.get());
  ca_file = dir + "/ca.pem";
  WriteText(ca_file, ca_pem);

  auto sk = NewKey();
  auto sc = MakeCert(sk.get(), "/O=Example/CN=signer", ca_cert_.get(), ca_key_.get(), serial_++, false,
                     "DNS:localhost,IP:127.0.0.1", true);
  server = Save(dir, "server", sc.get(), sk.get());

  ci = Issue("ci", "/O=Example/CN=ci", "URI:spiffe://example.org/ci");
  ra = Issue("ra", "/O=Example/CN=ra", "");
  builder = Issue("builder", "/O=Example/CN=builder", "DNS:builder.example.org");
  stranger = Issue("stranger", "/O=Example/CN=stranger", "URI:spiffe://example.org/stranger");
  revoked = Issue("revoked", "/O=Example/CN=revoked", "URI:spiffe://example.org/revoked");

  // The CRL revokes `revoked` by serial.
  OsslPtr<X509_CRL> crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca_cert_.get()));
  OsslPtr<ASN1_STRING> now(ASN1_TIME_adj(nullptr, time(nullptr), 0, -60));
  OsslPtr<ASN1_STRING> next(ASN1_TIME_adj(nullptr, time(nullptr), 1, 0));
  X509_CRL_set1_lastUpdate(crl.get(), now.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  auto revoked_cert = ParseFirst(revoked.cert_pem);
  X509_REVOKED* r = X509_REVOKED_new();
  X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked_cert.get()));
  X509_REVOKED_set_revocationDate(r, now.get());
  X509_CRL_add0_revoked(crl.get(), r);
  X509_CRL_sort(crl.get());
  PKI_CHECK(X509_CRL_sign(crl.get(), ca_key_.get(), EVP_sha256()) > 0);
  OsslPtr<BIO> b(BIO_new(BIO_s_mem()));
  PKI_CHECK(PEM_write_bio_X509_CRL(b.get(), crl.get()) == 1);
  char* d = nullptr;
  const long n = BIO_get_mem_data(b.get(), &d);
  crl_file = dir + "/crl.pem";
  WriteText(crl_file, std::string(d, static_cast<size_t>(n)));

  // Another CA, same names: its client must fail the handshake.
  auto other_key = NewKey();
  auto other_ca = MakeCert(other_key.get(), "/O=Example/CN=Signer Client CA", nullptr, nullptr, 1, true, "", false);
  auto ok = NewKey();
  auto oc = MakeCert(ok.get(), "/O=Example/CN=ci", other_ca.get(), other_key.get(), 2, false,
                     "URI:spiffe://example.org/ci", false);
  other_ca_client = Save(dir, "other_ca_client", oc.get(), ok.get());
}

OsslPtr<X509> TestPki::ParseFirst(const std::string& pem) {
  OsslPtr<BIO> b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  OsslPtr<X509> c(PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr));
  PKI_CHECK(c != nullptr);
  return c;
}

Credential TestPki::IssueServer(const std::string& dir, const std::string& name) {
  auto k = NewKey();
  auto c = MakeCert(k.get(), "/O=Example/CN=signer", ca_cert_.get(), ca_key_.get(), serial_++, false,
                    "DNS:localhost,IP:127.0.0.1", true);
  return Save(dir, name, c.get(), k.get());
}

Credential TestPki::Issue(const std::string& name, const std::string& subject, const std::string& san) {
  auto k = NewKey();
  auto c = MakeCert(k.get(), subject, ca_cert_.get(), ca_key_.get(), serial_++, false, san, false);
  return Save(dir_, name, c.get(), k.get());
}

}  // namespace pki::testing
