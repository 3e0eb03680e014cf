// fingerprint.h — how a digest is shown to people: lower-case hex in groups
// of four and the PGP words, both computed on the host so they can be read
// next to what the appliance's own display shows.
#ifndef PKI_CEREMONY_FINGERPRINT_FINGERPRINT_H_
#define PKI_CEREMONY_FINGERPRINT_FINGERPRINT_H_

#include <string>

#include "base/bytes.h"

namespace pki::ceremony {

// Sha256 returns the 32-byte SHA-256 of |data| (OpenSSL); never fails.
std::string Sha256(ByteSpan data);

// HexString returns |data| as lower-case hex without separators.
std::string HexString(ByteSpan data);

// GroupedHex returns |data| as lower-case hex in space-separated groups of
// four characters ("e582 94f2 ..."), the way the display shows it.
std::string GroupedHex(ByteSpan data);

// ParseHex decodes hex (spaces and colons ignored); false on a bad digit or
// odd length, |out| then unspecified.
bool ParseHex(std::string_view hex, std::string* out);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_FINGERPRINT_FINGERPRINT_H_
