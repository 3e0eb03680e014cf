// Integration: signerctl against real SoftHSMv2 tokens, cross-checked with
// OpenSC's pkcs11-tool and the openssl command line; and keys made by
// pkcs11-tool used by the pool.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "common/file.h"
#include "hsm_session.h"
#include "signer/pkcs11_pool.h"
#include "softhsm_env.h"
#include "verify.h"

namespace pki::testing {
namespace {

using signer::SignAlgorithm;

class SignerctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.InitToken("ops").ok());
    bin_ = std::string(std::getenv("PKI_BIN_DIR")) + "/signerctl";
  }

  int Signerctl(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), bin_);
    return RunCommand(args, out);
  }
  std::vector<std::string> TokenArgs(const std::string& cmd, const std::string& label) {
    return {cmd, "--module", kSoftHsmModule, "--token", "ops", "--pin-file", env_.pin_file(),
            "--label", label};
  }
  // PkcsTool runs pkcs11-tool on the token, PIN through the environment.
  int PkcsTool(std::vector<std::string> args, std::string* out) {
    std::vector<std::string> argv = {"pkcs11-tool", "--module", kSoftHsmModule, "--token-label",
                                     "ops", "--login", "--pin", "env:PKI_TEST_PIN"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, out, {std::string("PKI_TEST_PIN=") + kUserPin});
  }
  std::string SpkiOf(const std::string& label) {
    auto hsm = signerctl::HsmSession::Open(kSoftHsmModule, "ops", env_.pin_file());
    EXPECT_TRUE(hsm.ok());
    auto key = (*hsm)->FindKey(label);
    EXPECT_TRUE(key.ok()) << key.status().message();
    return key.ok() ? key->public_key.spki_der : "";
  }

  SoftHsmEnv env_;
  std::string bin_;
};

TEST_F(SignerctlTest, KeygenMakesKeysPkcs11ToolSeesAndSignsWith) {
  std::string out;
  std::vector<std::string> args = TokenArgs("keygen", "build-signing");
  args.insert(args.end(), {"--type", "ec-p256"});
  ASSERT_EQ(Signerctl(args, &out), 0) << out;
  EXPECT_NE(out.find("pkcs11:"), std::string::npos);
  EXPECT_NE(out.find("object=build-signing"), std::string::npos);
  EXPECT_NE(out.find("type=private"), std::string::npos);

  out.clear();
  ASSERT_EQ(PkcsTool({"--list-objects"}, &out), 0) << out;
  EXPECT_NE(out.find("label:      build-signing"), std::string::npos) << out;
  EXPECT_NE(out.find("never extractable"), std::string::npos) << out;
  EXPECT_NE(out.find("sensitive"), std::string::npos) << out;

  // pkcs11-tool signs with it; OpenSSL verifies with the key's SPKI.
  std::string data = env_.dir() + "/data";
  std::string sig = env_.dir() + "/sig";
  // SoftHSMv2 2.6 offers CKM_ECDSA (over a digest), not ECDSA-SHA256.
  ASSERT_TRUE(WriteFileAtomic(data, AsBytes(Digest(SignAlgorithm::kEcdsaP256Sha256,
                                                   "hello from pkcs11-tool"))).ok());
  out.clear();
  ASSERT_EQ(PkcsTool({"--sign", "--mechanism", "ECDSA", "--label", "build-signing",
                      "--signature-format", "openssl", "--input-file", data, "--output-file", sig},
                     &out),
            0)
      << out;
  StatusOr<std::string> signature = ReadFile(sig);
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(VerifySignature(SpkiOf("build-signing"), SignAlgorithm::kEcdsaP256Sha256,
                              "hello from pkcs11-tool", *signature));
}

TEST_F(SignerctlTest, KeygenRefusesAnExistingLabelAndBadInput) {
  std::string out;
  std::vector<std::string> args = TokenArgs("keygen", "k");
  args.insert(args.end(), {"--type", "ed25519"});
  ASSERT_EQ(Signerctl(args, &out), 0) << out;
  out.clear();
  EXPECT_EQ(Signerctl(args, &out), 2);
  EXPECT_NE(out.find("already exists"), std::string::npos) << out;

  out.clear();
  std::vector<std::string> bad_type = TokenArgs("keygen", "k2");
  bad_type.insert(bad_type.end(), {"--type", "dsa-1024"});
  EXPECT_EQ(Signerctl(bad_type, &out), 1);
  EXPECT_NE(out.find("dsa-1024"), std::string::npos) << out;

  out.clear();
  EXPECT_EQ(Signerctl({"keygen", "--module", kSoftHsmModule, "--token", "ops"}, &out), 1);
  out.clear();
  EXPECT_EQ(Signerctl({"frobnicate"}, &out), 1);

  std::string loose = env_.dir() + "/loose.pin";
  ASSERT_TRUE(WriteFileAtomic(loose, AsBytes(kUserPin), 0644).ok());
  out.clear();
  EXPECT_EQ(Signerctl({"keygen", "--module", kSoftHsmModule, "--token", "ops", "--pin-file",
                       loose, "--label", "k3", "--type", "ec-p256"},
                      &out),
            2);
  EXPECT_NE(out.find("0600"), std::string::npos) << out;
  EXPECT_EQ(out.find(kUserPin), std::string::npos);

  out.clear();
  std::vector<std::string> no_token = {"keygen", "--module", kSoftHsmModule, "--token", "nope",
                                       "--pin-file", env_.pin_file(), "--label", "k4", "--type",
                                       "ec-p256"};
  EXPECT_EQ(Signerctl(no_token, &out), 2);
  EXPECT_NE(out.find("nope"), std::string::npos) << out;
}

TEST_F(SignerctlTest, CsrSignedInTheHsmVerifiesWithOpenssl) {
  for (const char* type : {"ec-p256", "ec-p384", "rsa-2048", "ed25519"}) {
    std::string label = std::string("csr-") + type;
    std::string out;
    std::vector<std::string> gen = TokenArgs("keygen", label);
    gen.insert(gen.end(), {"--type", type});
    ASSERT_EQ(Signerctl(gen, &out), 0) << out;
    std::string csr = env_.dir() + "/" + label + ".csr";
    std::vector<std::string> args = TokenArgs("csr", label);
    args.insert(args.end(), {"--subject", "/CN=Issuing CA 2026/O=Example", "--out", csr});
    out.clear();
    ASSERT_EQ(Signerctl(args, &out), 0) << type << ": " << out;
    out.clear();
    ASSERT_EQ(RunCommand({"openssl", "req", "-in", csr, "-verify", "-noout", "-subject"}, &out), 0)
        << type << ": " << out;
    EXPECT_NE(out.find("CN = Issuing CA 2026"), std::string::npos) << out;
    // The CSR carries the HSM key's public key.
    out.clear();
    ASSERT_EQ(RunCommand({"openssl", "req", "-in", csr, "-pubkey", "-noout"}, &out), 0);
    EXPECT_NE(out.find("BEGIN PUBLIC KEY"), std::string::npos);
  }
  std::string out;
  std::vector<std::string> bad = TokenArgs("csr", "csr-ec-p256");
  bad.insert(bad.end(), {"--subject", "CN=no-slash"});
  EXPECT_EQ(Signerctl(bad, &out), 2);
  EXPECT_NE(out.find("subject"), std::string::npos) << out;
}

TEST_F(SignerctlTest, CsrCarriesTheRequestedSubjectAltNamesAndRefusesBadOnes) {
  for (const char* type : {"ec-p256", "rsa-2048", "ed25519"}) {
    const std::string label = std::string("san-") + type;
    std::string out;
    std::vector<std::string> gen = TokenArgs("keygen", label);
    gen.insert(gen.end(), {"--type", type});
    ASSERT_EQ(Signerctl(gen, &out), 0) << out;
    const std::string csr = env_.dir() + "/" + label + ".csr";
    std::vector<std::string> args = TokenArgs("csr", label);
    args.insert(args.end(), {"--subject", "/CN=Release Signing 2026/O=Example", "--san",
                             "email:release@example.com", "--san", "DNS:release.example.com", "--san",
                             "IP:192.0.2.7", "--san", "ip:2001:db8::1", "--san", "URI:spiffe://example.com/release",
                             "--out", csr});
    out.clear();
    ASSERT_EQ(Signerctl(args, &out), 0) << type << ": " << out;
    out.clear();
    ASSERT_EQ(RunCommand({"openssl", "req", "-in", csr, "-verify", "-noout", "-text"}, &out), 0)
        << type << ": " << out;
    EXPECT_NE(out.find("verify OK"), std::string::npos) << out;
    EXPECT_NE(out.find("Requested Extensions:"), std::string::npos) << out;
    EXPECT_NE(out.find("X509v3 Subject Alternative Name:"), std::string::npos) << out;
    EXPECT_NE(out.find("email:release@example.com, DNS:release.example.com, IP Address:192.0.2.7, "
                       "IP Address:2001:DB8:0:0:0:0:0:1, URI:spiffe://example.com/release"),
              std::string::npos)
        << "the names, in order: " << out;
  }
  // Without --san: no extension request at all.
  std::string out;
  const std::string plain = env_.dir() + "/plain.csr";
  std::vector<std::string> args = TokenArgs("csr", "san-ec-p256");
  args.insert(args.end(), {"--subject", "/CN=plain", "--out", plain});
  ASSERT_EQ(Signerctl(args, &out), 0) << out;
  out.clear();
  ASSERT_EQ(RunCommand({"openssl", "req", "-in", plain, "-noout", "-text"}, &out), 0);
  EXPECT_EQ(out.find("Subject Alternative Name"), std::string::npos) << out;

  // Bad SANs: exit 2, the message names the entry, no file written.
  const std::string bad_out = env_.dir() + "/bad.csr";
  for (const char* bad : {"release@example.com", "X400:foo", "DNS:", "DNS:bad name.example.com", "IP:300.1.1.1",
                          "email:no-at-sign", "URI:no-scheme"}) {
    std::vector<std::string> b = TokenArgs("csr", "san-ec-p256");
    b.insert(b.end(), {"--subject", "/CN=x", "--san", bad, "--out", bad_out});
    out.clear();
    EXPECT_EQ(Signerctl(b, &out), 2) << bad << ": " << out;
    EXPECT_NE(out.find(std::string("--san '") + bad + "'"), std::string::npos) << bad << ": " << out;
    EXPECT_FALSE(std::filesystem::exists(bad_out)) << bad;
  }
}

TEST_F(SignerctlTest, AttachChainStoresCertificatesAndListShowsUris) {
  std::string out;
  std::vector<std::string> gen = TokenArgs("keygen", "issuing");
  gen.insert(gen.end(), {"--type", "ec-p256"});
  ASSERT_EQ(Signerctl(gen, &out), 0) << out;
  std::string csr = env_.dir() + "/issuing.csr";
  std::vector<std::string> req = TokenArgs("csr", "issuing");
  req.insert(req.end(), {"--subject", "/CN=issuing", "--out", csr});
  ASSERT_EQ(Signerctl(req, &out), 0) << out;
  std::string ca_key = env_.dir() + "/ca.key", ca = env_.dir() + "/ca.pem";
  std::string leaf = env_.dir() + "/leaf.pem", chain = env_.dir() + "/chain.pem";
  ASSERT_EQ(RunCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key, "-out", ca,
                        "-subj", "/CN=root", "-days", "30"},
                       &out),
            0);
  ASSERT_EQ(RunCommand({"openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
                        "-CAcreateserial", "-out", leaf, "-days", "10"},
                       &out),
            0)
      << out;
  ASSERT_TRUE(WriteFileAtomic(chain, AsBytes(*ReadFile(leaf) + *ReadFile(ca)), 0644).ok());

  // The CA certificate alone is for another key: refused, nothing written.
  std::vector<std::string> wrong = TokenArgs("attach-chain", "issuing");
  wrong.insert(wrong.end(), {"--chain", ca});
  out.clear();
  EXPECT_EQ(Signerctl(wrong, &out), 2);
  EXPECT_NE(out.find("not for key"), std::string::npos) << out;

  std::vector<std::string> attach = TokenArgs("attach-chain", "issuing");
  attach.insert(attach.end(), {"--chain", chain});
  out.clear();
  ASSERT_EQ(Signerctl(attach, &out), 0) << out;
  EXPECT_NE(out.find("type=cert"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(Signerctl(attach, &out), 2);
  EXPECT_NE(out.find("already has a certificate"), std::string::npos) << out;

  out.clear();
  ASSERT_EQ(PkcsTool({"--list-objects", "--type", "cert"}, &out), 0) << out;
  EXPECT_NE(out.find("label:      issuing"), std::string::npos) << out;
  EXPECT_NE(out.find("label:      issuing.chain1"), std::string::npos) << out;

  out.clear();
  ASSERT_EQ(Signerctl({"list", "--module", kSoftHsmModule, "--pin-file", env_.pin_file()}, &out), 0)
      << out;
  EXPECT_NE(out.find("token pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial="),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(";token=ops;object=issuing;id=%"), std::string::npos) << out;
  EXPECT_NE(out.find("type=private  (ec)"), std::string::npos) << out;
  EXPECT_NE(out.find("type=cert"), std::string::npos) << out;
  // Without a PIN: no private keys.
  out.clear();
  ASSERT_EQ(Signerctl({"list", "--module", kSoftHsmModule}, &out), 0) << out;
  EXPECT_EQ(out.find("type=private"), std::string::npos) << out;
  EXPECT_NE(out.find("type=public"), std::string::npos) << out;
}

TEST_F(SignerctlTest, KeysMadeByPkcs11ToolAreUsableByThePool) {
  std::string out;
  ASSERT_EQ(PkcsTool({"--keypairgen", "--key-type", "EC:prime256v1", "--label", "pt-ec", "--id",
                      "a1b2"},
                     &out),
            0)
      << out;
  out.clear();
  ASSERT_EQ(PkcsTool({"--keypairgen", "--key-type", "EC:edwards25519", "--label", "pt-ed", "--id",
                      "a1b3"},
                     &out),
            0)
      << out;
  signer::PoolConfig config = env_.Config(kSoftHsmModule, {"ops"});
  for (const char* name : {"pt-ec", "pt-ed"}) {
    signer::KeyConfig key;
    key.name = name;
    signer::KeyVersionConfig v;
    v.replica_uris = {std::string("pkcs11:token=ops;object=") + name + ";type=private"};
    key.versions.push_back(v);
    config.keys.push_back(key);
  }
  // pkcs11-tool names keys by id too: the URI's id= selects the same key.
  config.keys[0].versions[0].replica_uris[0] = "pkcs11:token=ops;id=%a1%b2;type=private";
  auto pool = signer::CreatePkcs11Pool(config);
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  struct Case { const char* key; SignAlgorithm alg; };
  for (Case c : {Case{"pt-ec", SignAlgorithm::kEcdsaP256Sha256}, Case{"pt-ed", SignAlgorithm::kEd25519}}) {
    std::string input = Digest(c.alg, "made by pkcs11-tool");
    auto sig = (*pool)->Sign(c.key, 0, c.alg, AsBytes(input), std::chrono::milliseconds(5000), nullptr);
    ASSERT_TRUE(sig.ok()) << c.key << ": " << sig.status().message();
    EXPECT_TRUE(VerifySignature((*pool)->Describe(c.key, 0)->spki_der, c.alg, "made by pkcs11-tool",
                                sig->signature))
        << c.key;
  }
}

}  // namespace
}  // namespace pki::testing
