// Fuzzes `ceremony verify-transcript` and `render` on a transcript file
// (bytes from removable media): decode, render, and verify against the key
// the file itself names, so the signature check runs on every mutated body.
// A transcript that verifies must stop verifying when one byte of its body
// changes: the signature covers the whole body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "ceremony/transcript/transcript.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  auto t = pki::ceremony::ParseSignedTranscript(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!t.ok()) {
    if (t.status().message().empty()) pki::Panic("transcript: rejected without a message");
    return 0;
  }
  (void)pki::ceremony::RenderMarkdown(*t);
  (void)pki::ceremony::TranscriptHash(*t);
  pki::ceremony::VerifyOptions options;
  options.audit_public_key_der = t->audit_public_key();
  if (!pki::ceremony::Verify(*t, options).ok() || t->body().empty()) return 0;
  pki::ceremony::v1::SignedTranscript changed = *t;
  std::string* body = changed.mutable_body();
  (*body)[body->size() / 2] = static_cast<char>((*body)[body->size() / 2] ^ 0x01);
  if (pki::ceremony::Verify(changed, options).ok()) {
    pki::Panic("transcript: verifies with a changed body");
  }
  return 0;
}
