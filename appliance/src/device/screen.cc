#include "device/screen.h"

#include <cstring>

#include "device/pgp_words.h"

namespace pki::appliance::device {
namespace {

// Prefix/Suffix slice without std::string_view::substr, which can throw and
// so pulls in libstdc++'s hosted part (the firmware links without it).
// |n| must be <= s.size().
std::string_view Prefix(std::string_view s, size_t n) { return std::string_view(s.data(), n); }
std::string_view Suffix(std::string_view s, size_t from) {
  return std::string_view(s.data() + from, s.size() - from);
}

}  // namespace

Screen::Screen(size_t width)
    : width_(width < 16 ? 16 : (width > kMaxWidth ? kMaxWidth : width)) {}

Status Screen::AddLine(std::string_view line) {
  if (count_ == kMaxLines) return ResourceExhaustedError("display screen is full");
  size_t n = line.size() < width_ ? line.size() : width_;
  std::memcpy(text_[count_], line.data(), n);
  views_[count_] = std::string_view(text_[count_], n);
  ++count_;
  return OkStatus();
}

Status Screen::AddText(std::string_view text) {
  while (true) {
    size_t nl = text.find('\n');
    std::string_view part = nl == std::string_view::npos ? text : Prefix(text, nl);
    do {
      if (part.size() <= width_) {
        PKI_RETURN_IF_ERROR(AddLine(part));
        part = std::string_view();
        break;
      }
      size_t cut = part.rfind(' ', width_);
      if (cut == std::string_view::npos || cut == 0) cut = width_;
      PKI_RETURN_IF_ERROR(AddLine(Prefix(part, cut)));
      part = Suffix(part, cut);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    } while (!part.empty());
    if (nl == std::string_view::npos) return OkStatus();
    text = Suffix(text, nl + 1);
  }
}

Status Screen::AddHex(ByteSpan data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  // Groups of 4 bytes (8 hex digits) separated by spaces.
  const size_t groups_per_line = (width_ + 1) / 9;
  char line[kMaxWidth];
  size_t len = 0;
  size_t groups = 0;
  for (size_t i = 0; i < data.size(); i += 4) {
    if (groups == groups_per_line) {
      PKI_RETURN_IF_ERROR(AddLine(std::string_view(line, len)));
      len = 0;
      groups = 0;
    }
    if (groups > 0) line[len++] = ' ';
    for (size_t j = i; j < i + 4 && j < data.size(); ++j) {
      line[len++] = kDigits[data[j] >> 4];
      line[len++] = kDigits[data[j] & 0x0F];
    }
    ++groups;
  }
  if (len > 0) PKI_RETURN_IF_ERROR(AddLine(std::string_view(line, len)));
  return OkStatus();
}

Status Screen::AddPgpWords(ByteSpan data) {
  char words[64 * (kMaxPgpWordLength + 1) + 1];
  if (data.size() > 64) return InvalidArgumentError("too many bytes to show as PGP words");
  PKI_ASSIGN_OR_RETURN(size_t n, PgpWords(words, data));
  return AddText(std::string_view(words, n));
}

}  // namespace pki::appliance::device
