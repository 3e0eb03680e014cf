// pgp_words.h — the PGP word list, for reading a digest aloud. The appliance
// display shows a request's SHA-256 in hex and as 32 PGP words; custodians
// compare them with what the host shows before entering their shares.
#ifndef PKI_APPLIANCE_DEVICE_PGP_WORDS_H_
#define PKI_APPLIANCE_DEVICE_PGP_WORDS_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::appliance::device {

// The longest word is 11 characters; 32 bytes need at most 32*12 chars.
inline constexpr size_t kMaxPgpWordLength = 11;

// PgpWord returns the word for |byte| at |position| in the data (even
// positions use the two-syllable list, odd the three-syllable one); a static
// string. Never fails.
const char* PgpWord(uint8_t byte, size_t position);

// PgpWords writes the words of |data|, separated by single spaces and
// NUL-terminated, into |out| and returns the length without the NUL.
// OUT_OF_RANGE if |out| is too small (its content is then unspecified).
StatusOr<size_t> PgpWords(std::span<char> out, ByteSpan data);

}  // namespace pki::appliance::device

#endif  // PKI_APPLIANCE_DEVICE_PGP_WORDS_H_
