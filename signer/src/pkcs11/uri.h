// uri.h — RFC 7512 PKCS#11 URIs: parsing, percent-decoding and matching
// against a module (CK_INFO), a slot (CK_SLOT_INFO), a token (CK_TOKEN_INFO)
// and objects (label, id, class).
//
// Secrets are refused: a URI with pin-value is an INVALID_ARGUMENT (PINs come
// from files). Unknown attributes are refused too (a typo in a config must
// not silently widen a match); "x-" vendor attributes are ignored.
#ifndef PKI_SIGNER_SRC_PKCS11_URI_H_
#define PKI_SIGNER_SRC_PKCS11_URI_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status_or.h"
#include "p11.h"

namespace pki::signer::internal {

struct Pkcs11Uri {
  // Library (module) attributes.
  std::optional<std::string> library_manufacturer;
  std::optional<std::string> library_description;
  std::optional<std::pair<uint8_t, uint8_t>> library_version;  // major, minor
  // Slot attributes.
  std::optional<std::string> slot_manufacturer;
  std::optional<std::string> slot_description;
  std::optional<uint64_t> slot_id;
  // Token attributes.
  std::optional<std::string> token;
  std::optional<std::string> manufacturer;
  std::optional<std::string> serial;
  std::optional<std::string> model;
  // Object attributes.
  std::optional<std::string> object;  // CKA_LABEL
  std::optional<std::string> id;      // CKA_ID, raw bytes
  std::optional<CK_OBJECT_CLASS> type;
  // Query attributes (module selection).
  std::optional<std::string> module_name;
  std::optional<std::string> module_path;

  // Parse parses |uri|. INVALID_ARGUMENT names the offending attribute or
  // escape: missing "pkcs11:" scheme, bad percent-encoding, unknown or
  // repeated attribute, bad type/slot-id/library-version value, pin-value.
  static StatusOr<Pkcs11Uri> Parse(std::string_view uri);

  // MatchesModule is true if the library attributes and module-path/-name
  // match |info| of the module loaded from |path|.
  bool MatchesModule(const CK_INFO& info, std::string_view path) const;
  // MatchesSlot is true if slot-id/-manufacturer/-description match.
  bool MatchesSlot(CK_SLOT_ID slot, const CK_SLOT_INFO& info) const;
  // MatchesToken is true if token/manufacturer/serial/model match.
  bool MatchesToken(const CK_TOKEN_INFO& info) const;
  // HasObjectAttributes is true if object, id or type is set.
  bool HasObjectAttributes() const { return object || id || type; }

  // ToString returns the URI in canonical form, percent-encoding as needed.
  std::string ToString() const;
};

// PaddedField returns a blank-padded PKCS#11 text field without its padding.
std::string PaddedField(const unsigned char* field, size_t size);

// TokenUriOf returns "pkcs11:model=..;manufacturer=..;serial=..;token=.."
// naming the token described by |info|.
std::string TokenUriOf(const CK_TOKEN_INFO& info);

// PercentEncode encodes |value| for a URI path attribute (RFC 7512 pchar).
std::string PercentEncode(std::string_view value);

// ObjectClassName returns "private", "public", "cert", "secret-key", "data",
// or "" for other classes.
const char* ObjectClassName(CK_OBJECT_CLASS cls);

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_SRC_PKCS11_URI_H_
