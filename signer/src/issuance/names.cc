// names.cc — name checks against profiles and per-client allowlists.
#include "names.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace pki::signer::internal {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

bool IsLdhLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

// UnderSuffix: |name| equals |suffix| or ends with "." + suffix.
bool UnderSuffix(std::string_view name, std::string_view suffix) {
  const std::string n = Lower(name);
  const std::string s = Lower(suffix);
  if (n == s) return true;
  return n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0 &&
         n[n.size() - s.size() - 1] == '.';
}

std::string_view AsView(const ASN1_STRING* s) {
  return std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                          static_cast<size_t>(ASN1_STRING_length(s)));
}

bool HasControlOrNul(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) == 0x7f;
  });
}

}  // namespace

Status CheckDnsName(std::string_view name, bool allow_wildcard,
                    const std::vector<std::string>& suffixes) {
  if (name.empty() || name.size() > 253) {
    return InvalidArgumentError("DNS name must be 1..253 characters");
  }
  std::string_view rest = name;
  bool wildcard = false;
  if (rest.substr(0, 2) == "*.") {
    if (!allow_wildcard) {
      return InvalidArgumentError("wildcard DNS name not allowed by the profile: ").Append(name);
    }
    wildcard = true;
    rest.remove_prefix(2);
  }
  size_t labels = 0;
  size_t start = 0;
  while (true) {
    const size_t dot = rest.find('.', start);
    const std::string_view label = rest.substr(start, dot == std::string_view::npos ? rest.npos : dot - start);
    if (!IsLdhLabel(label)) {
      if (label.find('*') != std::string_view::npos) {
        return InvalidArgumentError("wildcard only as the whole leftmost label: ").Append(name);
      }
      return InvalidArgumentError("malformed DNS name: ").Append(name);
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (wildcard && labels < 2) {
    return InvalidArgumentError("wildcard needs at least two labels after it: ").Append(name);
  }
  for (const std::string& s : suffixes) {
    if (UnderSuffix(rest, s)) return OkStatus();
  }
  return PermissionDeniedError("DNS name not in the client's allowlist: ").Append(name);
}

Status ParseCidr(std::string_view cidr, std::string* out_network, int* out_bits) {
  const size_t slash = cidr.find('/');
  if (slash == std::string_view::npos) return InvalidArgumentError("CIDR without /bits: ").Append(cidr);
  const std::string addr(cidr.substr(0, slash));
  const std::string_view bits_text = cidr.substr(slash + 1);
  if (bits_text.empty() || bits_text.size() > 3 ||
      !std::all_of(bits_text.begin(), bits_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgumentError("CIDR with bad prefix length: ").Append(cidr);
  }
  const int bits = std::stoi(std::string(bits_text));
  unsigned char buf[16];
  if (inet_pton(AF_INET, addr.c_str(), buf) == 1) {
    if (bits > 32) return InvalidArgumentError("IPv4 prefix longer than 32: ").Append(cidr);
    out_network->assign(reinterpret_cast<char*>(buf), 4);
  } else if (inet_pton(AF_INET6, addr.c_str(), buf) == 1) {
    if (bits > 128) return InvalidArgumentError("IPv6 prefix longer than 128: ").Append(cidr);
    out_network->assign(reinterpret_cast<char*>(buf), 16);
  } else {
    return InvalidArgumentError("CIDR with a malformed address: ").Append(cidr);
  }
  *out_bits = bits;
  return OkStatus();
}

std::string IpText(ByteSpan address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.size() == 4) {
    inet_ntop(AF_INET, address.data(), text, sizeof(text));
  } else if (address.size() == 16) {
    inet_ntop(AF_INET6, address.data(), text, sizeof(text));
  } else {
    return "?";
  }
  return text;
}

Status CheckIpAddress(ByteSpan address, const std::vector<std::string>& ranges) {
  if (address.size() != 4 && address.size() != 16) {
    return InvalidArgumentError("IP address SAN must be 4 or 16 bytes");
  }
  for (const std::string& range : ranges) {
    std::string net;
    int bits = 0;
    PKI_RETURN_IF_ERROR(ParseCidr(range, &net, &bits));
    if (net.size() != address.size()) continue;
    bool match = true;
    for (int i = 0; i < bits && match; ++i) {
      const size_t byte = static_cast<size_t>(i / 8);
      const int mask = 0x80 >> (i % 8);
      match = ((address[byte] ^ static_cast<uint8_t>(net[byte])) & mask) == 0;
    }
    if (match) return OkStatus();
  }
  return PermissionDeniedError("IP address not in the client's allowlist: ").Append(IpText(address));
}

Status CheckSpiffeUri(std::string_view uri, const NameAllowlist& allowlist) {
  constexpr std::string_view kScheme = "spiffe://";
  if (uri.size() > 2048 || uri.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgumentError("URI SAN must be a spiffe:// ID: ").Append(uri);
  }
  const std::string_view rest = uri.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string_view domain = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (domain.empty() || domain.size() > 255) return InvalidArgumentError("SPIFFE ID without trust domain");
  for (char c : domain) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) return InvalidArgumentError("SPIFFE trust domain must be lower-case [a-z0-9.-_]: ").Append(uri);
  }
  if (path.size() < 2) return InvalidArgumentError("SPIFFE ID needs a workload path: ").Append(uri);
  // Segments: non-empty, not "." or "..", characters [A-Za-z0-9.-_].
  size_t pos = 1;
  while (pos <= path.size()) {
    const size_t next = path.find('/', pos);
    const std::string_view seg = path.substr(pos, next == std::string_view::npos ? path.npos : next - pos);
    if (seg.empty() || seg == "." || seg == "..") {
      return InvalidArgumentError("SPIFFE path has an empty, '.' or '..' segment: ").Append(uri);
    }
    for (char c : seg) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
      if (!ok) return InvalidArgumentError("SPIFFE path has a forbidden character: ").Append(uri);
    }
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  if (allowlist.spiffe_trust_domain.empty() || domain != allowlist.spiffe_trust_domain) {
    return PermissionDeniedError("SPIFFE trust domain not allowed for the client: ").Append(domain);
  }
  for (const std::string& prefix : allowlist.spiffe_path_prefixes) {
    if (prefix == "/") return OkStatus();
    if (path == prefix) return OkStatus();
    if (path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix &&
        path[prefix.size()] == '/') {
      return OkStatus();
    }
  }
  return PermissionDeniedError("SPIFFE path not in the client's allowlist: ").Append(path);
}

Status CheckEmail(std::string_view email, const std::vector<std::string>& domains) {
  const size_t at = email.find('@');
  if (email.size() > 254 || at == 0 || at == std::string_view::npos ||
      email.find('@', at + 1) != std::string_view::npos || HasControlOrNul(email)) {
    return InvalidArgumentError("malformed email address SAN");
  }
  const std::string_view domain = email.substr(at + 1);
  Status dns = CheckDnsName(domain, false, {std::string(domain)});
  if (!dns.ok()) return InvalidArgumentError("email address with a malformed domain: ").Append(email);
  for (const std::string& d : domains) {
    if (EqualsIgnoreCase(domain, d)) return OkStatus();
  }
  return PermissionDeniedError("email domain not in the client's allowlist: ").Append(domain);
}

Status CheckNames(const Profile& profile, const NameAllowlist& allowlist,
                  const GENERAL_NAMES* names, const std::string* cn,
                  std::vector<std::string>* out_text) {
  const int count = names == nullptr ? 0 : sk_GENERAL_NAME_num(names);
  if (count == 0) return InvalidArgumentError("CSR has no subjectAltName names");
  if (static_cast<uint32_t>(count) > profile.max_names) {
    return InvalidArgumentError("too many names for profile ").Append(profile.name);
  }
  std::vector<std::string> text;
  std::vector<std::string> plain;  // the name as a CN would spell it
  uint32_t uris = 0;
  for (int i = 0; i < count; ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    int type = 0;
    const void* value = GENERAL_NAME_get0_value(gn, &type);
    const ASN1_STRING* s = static_cast<const ASN1_STRING*>(value);
    switch (type) {
      case GEN_DNS: {
        if (!profile.allow_dns) return InvalidArgumentError("profile ").Append(profile.name).Append(" allows no DNS names");
        const std::string_view v = AsView(s);
        PKI_RETURN_IF_ERROR(CheckDnsName(v, profile.allow_wildcard, allowlist.dns_suffixes));
        text.push_back("dns:" + std::string(v));
        plain.emplace_back(v);
        break;
      }
      case GEN_IPADD: {
        if (!profile.allow_ip) return InvalidArgumentError("profile ").Append(profile.name).Append(" allows no IP addresses");
        const ByteSpan addr(ASN1_STRING_get0_data(s), static_cast<size_t>(ASN1_STRING_length(s)));
        PKI_RETURN_IF_ERROR(CheckIpAddress(addr, allowlist.ip_cidrs));
        text.push_back("ip:" + IpText(addr));
        plain.push_back(IpText(addr));
        break;
      }
      case GEN_URI: {
        if (!profile.allow_spiffe_uri) return InvalidArgumentError("profile ").Append(profile.name).Append(" allows no URI names");
        const std::string_view v = AsView(s);
        PKI_RETURN_IF_ERROR(CheckSpiffeUri(v, allowlist));
        ++uris;
        text.push_back("uri:" + std::string(v));
        plain.emplace_back(v);
        break;
      }
      case GEN_EMAIL: {
        if (!profile.allow_email) return InvalidArgumentError("profile ").Append(profile.name).Append(" allows no email addresses");
        const std::string_view v = AsView(s);
        PKI_RETURN_IF_ERROR(CheckEmail(v, allowlist.email_domains));
        text.push_back("email:" + std::string(v));
        plain.emplace_back(v);
        break;
      }
      default:
        return InvalidArgumentError("subjectAltName type not supported (only DNS, IP, URI, email)");
    }
  }
  if (profile.max_uri_names != 0 && uris > profile.max_uri_names) {
    return InvalidArgumentError("too many URI names for profile ").Append(profile.name);
  }
  if (profile.allow_spiffe_uri && profile.max_uri_names != 0 && uris == 0) {
    return InvalidArgumentError("profile ").Append(profile.name).Append(" needs a spiffe:// URI name");
  }
  std::vector<std::string> sorted = text;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return InvalidArgumentError("duplicate subjectAltName entry");
  }
  if (cn != nullptr) {
    if (!profile.allow_common_name) {
      return InvalidArgumentError("profile ").Append(profile.name).Append(" allows no subject CN");
    }
    const bool found = std::any_of(plain.begin(), plain.end(),
                                   [&](const std::string& p) { return EqualsIgnoreCase(p, *cn); });
    if (!found) return InvalidArgumentError("subject CN is not one of the subjectAltNames: ").Append(*cn);
  }
  *out_text = std::move(text);
  return OkStatus();
}

}  // namespace pki::signer::internal

namespace pki::signer {

Status ValidateAllowlist(const NameAllowlist& allowlist) {
  for (const std::string& s : allowlist.dns_suffixes) {
    if (s.empty() || s.front() == '.' || s.front() == '*') {
      return InvalidArgumentError("allowlist: DNS suffix must be a plain domain: ").Append(s);
    }
    if (!internal::CheckDnsName(s, false, {s}).ok()) {
      return InvalidArgumentError("allowlist: malformed DNS suffix: ").Append(s);
    }
  }
  for (const std::string& c : allowlist.ip_cidrs) {
    std::string net;
    int bits = 0;
    PKI_RETURN_IF_ERROR(internal::ParseCidr(c, &net, &bits));
  }
  if (!allowlist.spiffe_path_prefixes.empty() && allowlist.spiffe_trust_domain.empty()) {
    return InvalidArgumentError("allowlist: SPIFFE path prefixes without a trust domain");
  }
  for (const std::string& p : allowlist.spiffe_path_prefixes) {
    if (p.empty() || p.front() != '/' || (p.size() > 1 && p.back() == '/')) {
      return InvalidArgumentError("allowlist: SPIFFE path prefix must start with '/' and not end with it: ").Append(p);
    }
  }
  for (const std::string& d : allowlist.email_domains) {
    if (!internal::CheckDnsName(d, false, {d}).ok()) {
      return InvalidArgumentError("allowlist: malformed email domain: ").Append(d);
    }
  }
  return OkStatus();
}

}  // namespace pki::signer
