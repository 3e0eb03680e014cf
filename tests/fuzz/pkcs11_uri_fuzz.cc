// Fuzzes the RFC 7512 PKCS#11 URI parser (signerd's config and signerctl's
// arguments): a parse error names what is wrong, and a URI that parses has a
// canonical form that parses to the same URI and is its own canonical form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "uri.h"

using pki::signer::internal::Pkcs11Uri;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto uri = Pkcs11Uri::Parse(text);
  if (!uri.ok()) {
    if (uri.status().message().empty()) pki::Panic("uri: rejected without a message");
    return 0;
  }
  const std::string canonical = uri->ToString();
  auto again = Pkcs11Uri::Parse(canonical);
  if (!again.ok()) pki::Panic("uri: the canonical form of a parsed URI does not parse");
  if (again->ToString() != canonical) pki::Panic("uri: canonical form is not a fixed point");
  if (again->token != uri->token || again->object != uri->object || again->id != uri->id ||
      again->serial != uri->serial || again->type != uri->type || again->slot_id != uri->slot_id ||
      again->module_path != uri->module_path) {
    pki::Panic("uri: canonical form names another object");
  }
  return 0;
}
