// Integration: the root appliance's CA core (mbedTLS) issues; OpenSSL checks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ca/ca_certificate.h"
#include "ca/crl.h"
#include "ca/cross.h"
#include "ca/intermediate.h"
#include "ca/root.h"
#include "ca/serial.h"
#include "ca/sign.h"
#include "common/pem.h"
#include "crypto/keypair.h"
#include "crypto/test_entropy.h"

namespace pki::appliance::ca {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kYear = 365 * kDay;

struct CmdResult {
  int exit_code;
  std::string output;  // stdout and stderr
};

// Run runs |cmd| through the shell in |dir|; no secrets are ever on these
// command lines (test keys live in files in the temp dir).
CmdResult Shell(const std::string& dir, const std::string& cmd) {
  const std::string full = "cd '" + dir + "' && " + cmd + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string Openssl() {
  const char* p = std::getenv("PKI_OPENSSL");
  return p != nullptr ? p : "openssl";
}

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string_view Chars(const std::vector<uint8_t>& v) {
  return std::string_view(reinterpret_cast<const char*>(v.data()), v.size());
}

size_t CountOf(const std::vector<uint8_t>& hay, const std::vector<uint8_t>& needle) {
  size_t count = 0;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (std::equal(needle.begin(), needle.end(), hay.begin() + static_cast<std::ptrdiff_t>(i))) ++count;
  }
  return count;
}

class CaOpensslTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/appliance_ca_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(crypto::Drbg::Create(entropy_, AsBytes("ca-openssl-test"), drbg_).ok());
    now_ = static_cast<int64_t>(std::time(nullptr));
  }
  void TearDown() override {
    // PKI_KEEP_TMP=1 keeps the files for inspection; failures keep them too.
    if (!HasFailure() && std::getenv("PKI_KEEP_TMP") == nullptr) Shell("/tmp", "rm -rf '" + dir_ + "'");
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Makes a root (key + self-signed certificate) and writes <name>.pem.
  void MakeRoot(const std::string& name, std::string_view subject, crypto::KeyAlgorithm alg,
                std::optional<crypto::KeyPair>& key, std::vector<uint8_t>& der) {
    StatusOr<crypto::KeyPair> k = crypto::KeyPair::Generate(alg, *drbg_);
    ASSERT_TRUE(k.ok()) << k.status().message();
    key.emplace(std::move(k).value());
    StatusOr<Serial> serial = GenerateSerial(*drbg_);
    ASSERT_TRUE(serial.ok());
    RootSpec spec{subject, now_ - kDay, now_ + 20 * kYear, -1};
    std::array<uint8_t, 2048> tbs{};
    StatusOr<size_t> tbs_len = BuildRootTbs(spec, *serial, *key, tbs);
    ASSERT_TRUE(tbs_len.ok()) << tbs_len.status().message();
    der.assign(kMaxCertificateDer, 0);
    StatusOr<size_t> n = SignCertificate(*key, *drbg_, ByteSpan(tbs.data(), *tbs_len), der);
    ASSERT_TRUE(n.ok()) << n.status().message();
    der.resize(*n);
    WriteFile(Path(name + ".pem"), DerToPem("CERTIFICATE", Chars(der)));
  }

  // Makes an EC P-256 key and a CSR with openssl; returns the CSR DER.
  std::vector<uint8_t> OpensslCsr(const std::string& name, const std::string& keygen_args,
                                  const std::string& subject) {
    CmdResult k = Shell(dir_, Openssl() + " genpkey " + keygen_args + " -out " + name + ".key");
    EXPECT_EQ(k.exit_code, 0) << k.output;
    CmdResult r = Shell(dir_, Openssl() + " req -new -sha256 -key " + name + ".key -subj '" + subject +
                                "' -outform DER -out " + name + ".csr");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const std::string csr = ReadFile(Path(name + ".csr"));
    return std::vector<uint8_t>(csr.begin(), csr.end());
  }

  IntermediateProfile Profile() const {
    IntermediateProfile p;
    p.crl_distribution_point = "http://pki.example.com/root.crl";
    p.aia_ca_issuers = "http://pki.example.com/root.crt";
    p.permitted_dns = permitted_;
    p.excluded_dns = excluded_;
    p.ext_key_usage = kEkuServerAuth | kEkuClientAuth;
    return p;
  }

  StatusOr<size_t> Issue(const CaCertificate& issuer, crypto::KeyPair& issuer_key, const IntermediateProfile& profile,
                         const std::vector<uint8_t>& csr, int64_t nb, int64_t na, std::vector<uint8_t>& out) {
    PKI_ASSIGN_OR_RETURN(Serial serial, GenerateSerial(*drbg_));
    IntermediateRequest req{csr, nb, na, serial};
    std::array<uint8_t, 3072> tbs{};
    PKI_ASSIGN_OR_RETURN(const size_t tbs_len, BuildIntermediateTbs(issuer, profile, req, tbs));
    out.assign(kMaxCertificateDer, 0);
    PKI_ASSIGN_OR_RETURN(const size_t n, SignCertificate(issuer_key, *drbg_, ByteSpan(tbs.data(), tbs_len), out));
    out.resize(n);
    return n;
  }

  crypto::testing::SeededEntropy entropy_{0x5eed};
  std::optional<crypto::Drbg> drbg_;
  std::string dir_;
  int64_t now_ = 0;
  const std::string_view permitted_[1] = {"example.com"};
  const std::string_view excluded_[1] = {"bad.example.com"};
};

TEST_F(CaOpensslTest, RootIntermediateAndCrlVerifyWithOpenssl) {
  std::optional<crypto::KeyPair> root_key;
  std::vector<uint8_t> root_der;
  MakeRoot("root", "C=US,O=Example Corp,CN=Example Root CA R1", crypto::KeyAlgorithm::kEcP384, root_key, root_der);
  StatusOr<CaCertificate> root = CaCertificate::Parse(root_der);
  ASSERT_TRUE(root.ok()) << root.status().message();
  ASSERT_TRUE(root->VerifySelfSigned().ok());
  ASSERT_TRUE(root->MatchesKey(*root_key).ok());

  // RFC 5758: ecdsa-with-SHA384 AlgorithmIdentifier without parameters,
  // both inside the TBS and outside; never the NULL-parameter form.
  const std::vector<uint8_t> alg_no_params = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
  const std::vector<uint8_t> alg_null = {0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03, 0x05, 0x00};
  EXPECT_EQ(CountOf(root_der, alg_no_params), 2u);
  EXPECT_EQ(CountOf(root_der, alg_null), 0u);

  CmdResult self = Shell(dir_, Openssl() + " verify -x509_strict -check_ss_sig -CAfile root.pem root.pem");
  EXPECT_EQ(self.exit_code, 0) << self.output;
  CmdResult root_text = Shell(dir_, Openssl() + " x509 -in root.pem -noout -text");
  ASSERT_EQ(root_text.exit_code, 0) << root_text.output;
  EXPECT_NE(root_text.output.find("Version: 3"), std::string::npos);
  EXPECT_NE(root_text.output.find("Basic Constraints: critical\n                CA:TRUE\n"), std::string::npos)
      << root_text.output;
  EXPECT_NE(root_text.output.find("Key Usage: critical\n                Certificate Sign, CRL Sign"), std::string::npos);
  EXPECT_EQ(root_text.output.find("Extended Key Usage"), std::string::npos);
  EXPECT_NE(root_text.output.find("Subject Key Identifier"), std::string::npos);
  EXPECT_NE(root_text.output.find("Authority Key Identifier"), std::string::npos);
  EXPECT_NE(root_text.output.find("Subject: C = US, O = Example Corp, CN = Example Root CA R1"), std::string::npos)
      << root_text.output;
  EXPECT_NE(root_text.output.find("NIST CURVE: P-384"), std::string::npos);
  CmdResult serial = Shell(dir_, Openssl() + " x509 -in root.pem -noout -serial");
  ASSERT_EQ(serial.exit_code, 0);
  EXPECT_EQ(serial.output.size(), std::string("serial=").size() + 40 + 1) << serial.output;  // 20 bytes

  // Intermediate from an `openssl req` CSR.
  const std::vector<uint8_t> csr = OpensslCsr("int", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256",
                                              "/C=US/O=Example Corp/CN=Example Issuing CA 1");
  std::vector<uint8_t> int_der;
  StatusOr<size_t> issued = Issue(*root, *root_key, Profile(), csr, now_ - kDay / 2, now_ + 5 * kYear, int_der);
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  WriteFile(Path("int.pem"), DerToPem("CERTIFICATE", Chars(int_der)));
  CmdResult verify = Shell(dir_, Openssl() + " verify -x509_strict -CAfile root.pem int.pem");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("int.pem: OK"), std::string::npos) << verify.output;

  CmdResult text = Shell(dir_, Openssl() + " x509 -in int.pem -noout -text");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  for (const char* want : {
           "Signature Algorithm: ecdsa-with-SHA384",
           "Issuer: C = US, O = Example Corp, CN = Example Root CA R1",
           "Subject: C = US, O = Example Corp, CN = Example Issuing CA 1",
           "Basic Constraints: critical\n                CA:TRUE, pathlen:0",
           "Key Usage: critical\n                Certificate Sign, CRL Sign",
           "Extended Key Usage: \n                TLS Web Server Authentication, TLS Web Client Authentication",
           "Name Constraints: critical",
           "Permitted:\n                  DNS:example.com",
           "Excluded:\n                  DNS:bad.example.com",
           "CRL Distribution Points: \n                Full Name:\n                  URI:http://pki.example.com/root.crl",
           "Authority Information Access: \n                CA Issuers - URI:http://pki.example.com/root.crt",
           "Subject Key Identifier",
           "Authority Key Identifier",
       }) {
    EXPECT_NE(text.output.find(want), std::string::npos) << "missing: " << want << "\n" << text.output;
  }
  // AKI of the intermediate = SKI of the root.
  CmdResult root_ski = Shell(dir_, Openssl() + " x509 -in root.pem -noout -ext subjectKeyIdentifier | tail -1");
  CmdResult int_aki = Shell(dir_, Openssl() + " x509 -in int.pem -noout -ext authorityKeyIdentifier | tail -1");
  EXPECT_NE(int_aki.output.find(root_ski.output.substr(root_ski.output.find_first_not_of(' '))), std::string::npos)
      << root_ski.output << " vs " << int_aki.output;

  // CRL: one revoked entry (the intermediate) and an empty one.
  StatusOr<CaCertificate> int_cert = CaCertificate::Parse(int_der);
  ASSERT_TRUE(int_cert.ok()) << int_cert.status().message();
  CmdResult int_serial = Shell(dir_, Openssl() + " x509 -in int.pem -noout -serial | cut -d= -f2");
  std::vector<uint8_t> int_serial_bytes;
  for (size_t i = 0; i + 1 < int_serial.output.size(); i += 2) {
    int_serial_bytes.push_back(static_cast<uint8_t>(std::stoi(int_serial.output.substr(i, 2), nullptr, 16)));
  }
  ASSERT_EQ(int_serial_bytes.size(), 20u);
  const RevokedCertificate revoked[] = {{int_serial_bytes, now_ - 60, RevocationReason::kKeyCompromise}};
  for (int with_entry = 0; with_entry < 2; ++with_entry) {
    CrlRequest req;
    req.crl_number = 7 + static_cast<uint64_t>(with_entry);
    req.this_update = now_ - 30;
    req.next_update = now_ + 90 * kDay;
    if (with_entry) req.revoked = revoked;
    req.distribution_point = "http://pki.example.com/root.crl";
    std::array<uint8_t, 2048> tbs{};
    StatusOr<size_t> tbs_len = BuildCrlTbs(*root, req, tbs);
    ASSERT_TRUE(tbs_len.ok()) << tbs_len.status().message();
    std::vector<uint8_t> crl(4096);
    StatusOr<size_t> n = SignCrl(*root_key, *drbg_, ByteSpan(tbs.data(), *tbs_len), crl);
    ASSERT_TRUE(n.ok()) << n.status().message();
    crl.resize(*n);
    EXPECT_EQ(CountOf(crl, alg_no_params), 2u);
    WriteFile(Path("crl.pem"), DerToPem("X509 CRL", Chars(crl)));
    CmdResult crl_verify = Shell(dir_, Openssl() + " crl -in crl.pem -CAfile root.pem -noout -verify");
    EXPECT_EQ(crl_verify.exit_code, 0) << crl_verify.output;
    EXPECT_NE(crl_verify.output.find("verify OK"), std::string::npos) << crl_verify.output;
    CmdResult crl_text = Shell(dir_, Openssl() + " crl -in crl.pem -noout -text");
    ASSERT_EQ(crl_text.exit_code, 0) << crl_text.output;
    for (const char* want : {"Version 2 (0x1)", "X509v3 CRL Number: \n                " , "Issuing Distribution Point: critical",
                             "Only CA Certificates", "URI:http://pki.example.com/root.crl",
                             "Authority Key Identifier", "Signature Algorithm: ecdsa-with-SHA384"}) {
      EXPECT_NE(crl_text.output.find(want), std::string::npos) << "missing: " << want << "\n" << crl_text.output;
    }
    EXPECT_NE(crl_text.output.find(with_entry ? "                8\n" : "                7\n"), std::string::npos)
        << crl_text.output;
    // Chain check against the CRL: revoked when listed, fine otherwise.
    CmdResult chain = Shell(dir_, Openssl() + " verify -x509_strict -crl_check -CAfile root.pem -CRLfile crl.pem int.pem");
    if (with_entry) {
      EXPECT_NE(chain.exit_code, 0) << chain.output;
      EXPECT_NE(chain.output.find("certificate revoked"), std::string::npos) << chain.output;
      EXPECT_NE(crl_text.output.find("Key Compromise"), std::string::npos) << crl_text.output;
    } else {
      EXPECT_EQ(chain.exit_code, 0) << chain.output;
      EXPECT_NE(crl_text.output.find("No Revoked Certificates"), std::string::npos) << crl_text.output;
    }
  }
}

TEST_F(CaOpensslTest, CrossCertificateChainsNewRootToOldRoot) {
  std::optional<crypto::KeyPair> old_key, new_key;
  std::vector<uint8_t> old_der, new_der;
  MakeRoot("old", "C=US,O=Example Corp,CN=Example Root CA R1", crypto::KeyAlgorithm::kEcP384, old_key, old_der);
  MakeRoot("new", "C=US,O=Example Corp,CN=Example Root CA R2", crypto::KeyAlgorithm::kEcP384, new_key, new_der);
  StatusOr<CaCertificate> old_root = CaCertificate::Parse(old_der);
  StatusOr<CaCertificate> new_root = CaCertificate::Parse(new_der);
  ASSERT_TRUE(old_root.ok() && new_root.ok());
  StatusOr<Serial> serial = GenerateSerial(*drbg_);
  ASSERT_TRUE(serial.ok());
  CrossRequest req{now_, now_ + 10 * kYear, *serial, kPathLenFromNewRoot};
  std::array<uint8_t, 2048> tbs{};
  StatusOr<size_t> tbs_len = BuildCrossTbs(*old_root, *new_root, req, tbs);
  ASSERT_TRUE(tbs_len.ok()) << tbs_len.status().message();
  std::vector<uint8_t> cross(kMaxCertificateDer);
  StatusOr<size_t> n = SignCertificate(*old_key, *drbg_, ByteSpan(tbs.data(), *tbs_len), cross);
  ASSERT_TRUE(n.ok()) << n.status().message();
  cross.resize(*n);
  WriteFile(Path("cross.pem"), DerToPem("CERTIFICATE", Chars(cross)));
  CmdResult v = Shell(dir_, Openssl() + " verify -x509_strict -CAfile old.pem cross.pem");
  EXPECT_EQ(v.exit_code, 0) << v.output;
  StatusOr<CaCertificate> cross_cert = CaCertificate::Parse(cross);
  ASSERT_TRUE(cross_cert.ok()) << cross_cert.status().message();
  EXPECT_EQ(AsChars(cross_cert->subject_key_id()), AsChars(new_root->subject_key_id()));
  EXPECT_EQ(AsChars(cross_cert->subject_der()), AsChars(new_root->subject_der()));
  EXPECT_EQ(AsChars(cross_cert->spki_der()), AsChars(new_root->spki_der()));

  // An intermediate under the new root chains to the old root through the cross.
  const std::vector<uint8_t> csr = OpensslCsr("int2", "-algorithm EC -pkeyopt ec_paramgen_curve:P-384",
                                              "/O=Example Corp/CN=Example Issuing CA 2");
  std::vector<uint8_t> int_der;
  StatusOr<size_t> issued = Issue(*new_root, *new_key, Profile(), csr, now_, now_ + 3 * kYear, int_der);
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  WriteFile(Path("int2.pem"), DerToPem("CERTIFICATE", Chars(int_der)));
  CmdResult chain = Shell(dir_, Openssl() + " verify -x509_strict -CAfile old.pem -untrusted cross.pem int2.pem");
  EXPECT_EQ(chain.exit_code, 0) << chain.output;

  // The new root's key cannot be certified onto itself: same key refused.
  CrossRequest same{now_, now_ + kYear, *serial, -1};
  EXPECT_EQ(BuildCrossTbs(*old_root, *old_root, same, tbs).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CaOpensslTest, ProfileViolationsAreRefusedWithTheRuleNamed) {
  std::optional<crypto::KeyPair> root_key;
  std::vector<uint8_t> root_der;
  MakeRoot("root", "C=US,O=Example Corp,CN=Example Root CA R1", crypto::KeyAlgorithm::kEcP384, root_key, root_der);
  StatusOr<CaCertificate> root = CaCertificate::Parse(root_der);
  ASSERT_TRUE(root.ok());
  std::vector<uint8_t> out;
  const std::vector<uint8_t> good = OpensslCsr("good", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256",
                                               "/O=Example Corp/CN=Good CA");

  auto expect_refused = [&](const StatusOr<size_t>& r, std::string_view rule) {
    ASSERT_FALSE(r.ok()) << "expected refusal: " << rule;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(rule), std::string_view::npos) << r.status().message();
  };

  // CSR with a bad signature (one byte of the signature flipped).
  std::vector<uint8_t> bad_sig = good;
  bad_sig[bad_sig.size() - 2] ^= 0x01;
  expect_refused(Issue(*root, *root_key, Profile(), bad_sig, now_, now_ + kYear, out), "proof of possession");

  // RSA with e=3 (profile allows RSA-2048 so only the exponent is wrong).
  const std::vector<uint8_t> e3 = OpensslCsr(
      "e3", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3", "/O=Example Corp/CN=E3 CA");
  IntermediateProfile rsa2048 = Profile();
  rsa2048.key_policy.min_rsa_bits = 2048;
  expect_refused(Issue(*root, *root_key, rsa2048, e3, now_, now_ + kYear, out), "RSA public exponent must be 65537");
  // RSA-2048 with e=65537 is below the default minimum of 3072.
  const std::vector<uint8_t> rsa = OpensslCsr("rsa", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048",
                                              "/O=Example Corp/CN=RSA CA");
  expect_refused(Issue(*root, *root_key, Profile(), rsa, now_, now_ + kYear, out), "below the minimum of 3072");
  EXPECT_TRUE(Issue(*root, *root_key, rsa2048, rsa, now_, now_ + kYear, out).ok());

  // Too-long validity (9 years > 8) and validity outside the root's.
  expect_refused(Issue(*root, *root_key, Profile(), good, now_, now_ + 9 * kYear, out), "max_validity_days");
  expect_refused(Issue(*root, *root_key, Profile(), good, now_ + 15 * kYear, now_ + 21 * kYear, out),
                 "inside the issuer's validity");
  expect_refused(Issue(*root, *root_key, Profile(), good, now_ - 2 * kDay, now_ + kYear, out),
                 "inside the issuer's validity");

  // Missing CRL distribution point; missing AIA.
  IntermediateProfile no_dp = Profile();
  no_dp.crl_distribution_point = {};
  expect_refused(Issue(*root, *root_key, no_dp, good, now_, now_ + kYear, out), "profile.crl_distribution_point");
  IntermediateProfile no_aia = Profile();
  no_aia.aia_ca_issuers = {};
  expect_refused(Issue(*root, *root_key, no_aia, good, now_, now_ + kYear, out), "profile.aia_ca_issuers");

  // Curve not allowed by the key policy.
  IntermediateProfile p384_only = Profile();
  p384_only.key_policy.allow_ec_p256 = false;
  expect_refused(Issue(*root, *root_key, p384_only, good, now_, now_ + kYear, out), "EC P-256 keys are not allowed");

  // Garbage instead of a CSR.
  const std::vector<uint8_t> junk = {0x30, 0x03, 0x02, 0x01, 0x00};
  expect_refused(Issue(*root, *root_key, Profile(), junk, now_, now_ + kYear, out), "CSR: does not parse");

  // And the good one still passes with the same root: refusals changed nothing.
  StatusOr<size_t> ok = Issue(*root, *root_key, Profile(), good, now_, now_ + kYear, out);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
}

TEST_F(CaOpensslTest, RsaRootVerifiesWithOpenssl) {
  std::optional<crypto::KeyPair> root_key;
  std::vector<uint8_t> root_der;
  MakeRoot("rsa_root", "C=US,O=Example Corp,CN=Example RSA Root", crypto::KeyAlgorithm::kRsa3072, root_key, root_der);
  CmdResult v = Shell(dir_, Openssl() + " verify -x509_strict -check_ss_sig -CAfile rsa_root.pem rsa_root.pem");
  EXPECT_EQ(v.exit_code, 0) << v.output;
  CmdResult text = Shell(dir_, Openssl() + " x509 -in rsa_root.pem -noout -text");
  EXPECT_NE(text.output.find("Signature Algorithm: sha256WithRSAEncryption"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Public-Key: (3072 bit)"), std::string::npos);
  EXPECT_NE(text.output.find("Exponent: 65537"), std::string::npos);
}

}  // namespace
}  // namespace pki::appliance::ca
