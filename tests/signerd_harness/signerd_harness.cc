#include "signerd_harness.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace pki::testing {

SignerdHarness::SignerdHarness(std::string bin, const SignerdSetup& setup)
    : bin_(std::move(bin)),
      config_path_(tokens_.dir() + "/signerd.yaml"),
      process_(bin_ + "/signerd", config_path_, tokens_.dir() + "/signerd.out", tokens_.dir() + "/signerd.err",
               setup.metrics) {}

StatusOr<std::unique_ptr<SignerdHarness>> SignerdHarness::Create(const SignerdSetup& setup) {
  const char* bin = std::getenv("PKI_BIN_DIR");
  if (bin == nullptr) return FailedPreconditionError("PKI_BIN_DIR is not set");
  if (::access((std::string(bin) + "/signerd").c_str(), X_OK) != 0) {
    return FailedPreconditionError("no signerd program in PKI_BIN_DIR (not built?)");
  }
  if (setup.tokens.empty()) return InvalidArgumentError("SignerdSetup.tokens: at least one token");
  if (setup.release_key == ReleaseKey::kGenerated && setup.tokens.size() != 1) {
    return InvalidArgumentError("SignerdSetup: a generated key lives in one token (use kReplicated)");
  }
  std::unique_ptr<SignerdHarness> h(new SignerdHarness(bin, setup));
  for (const std::string& token : setup.tokens) PKI_RETURN_IF_ERROR(h->tokens_.InitToken(token));
  if (setup.release_key == ReleaseKey::kGenerated) {
    PKI_RETURN_IF_ERROR(h->tokens_.GenerateKey(setup.tokens[0], "release", "ec-p256").status());
  } else {
    const std::string pem = NewEcP256Pem();
    for (const std::string& token : setup.tokens) {
      PKI_RETURN_IF_ERROR(h->tokens_.ImportEcKey(token, "release", "\x01\x02", pem));
    }
  }
  if (::mkdir((h->dir() + "/state").c_str(), 0700) != 0) return InternalError("cannot make state/");
  h->pki_ = std::make_unique<TestPki>(h->dir());
  WriteText(h->config_path_, SignerdConfigYaml(setup, h->tokens_.pin_file()), 0600);
  return h;
}

}  // namespace pki::testing
