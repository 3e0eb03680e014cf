// pgp_words.h — the PGP word list (Juola and Zimmermann, public domain):
// bytes at even positions map to one of 256 two-syllable words, bytes at odd
// positions to one of 256 three-syllable words, so a swapped, dropped or
// repeated byte is heard when two people read a digest to each other.
#ifndef PKI_CEREMONY_FINGERPRINT_PGP_WORDS_H_
#define PKI_CEREMONY_FINGERPRINT_PGP_WORDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"

namespace pki::ceremony {

// PgpEvenWord / PgpOddWord return the word for |byte| at an even (0, 2, ...)
// or odd position. Never fail; the views point at static storage.
std::string_view PgpEvenWord(uint8_t byte);
std::string_view PgpOddWord(uint8_t byte);

// PgpWords returns |data| as space-separated words, alternating the even and
// odd lists starting with even. Empty input gives "". Never fails.
std::string PgpWords(ByteSpan data);

// PgpWordsToBytes parses space-separated words (case-insensitive) back into
// bytes. Fails with INVALID_ARGUMENT naming the first word that is unknown or
// sits at the wrong parity (a word from the odd list at an even position).
StatusOr<std::string> PgpWordsToBytes(std::string_view words);

}  // namespace pki::ceremony

#endif  // PKI_CEREMONY_FINGERPRINT_PGP_WORDS_H_
