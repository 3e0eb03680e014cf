// profile.cc — the built-in profiles, validation and the canonical hash.
#include <openssl/sha.h>

#include <algorithm>
#include <string>

#include "signer/issuance.h"

namespace pki::signer {
namespace {

constexpr std::chrono::seconds kDay{24 * 3600};

std::string Hex(const unsigned char* p, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 0x0f]);
  }
  return out;
}

bool IsDottedOid(const std::string& s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  bool prev_dot = false;
  for (char c : s) {
    if (c == '.') {
      if (prev_dot) return false;
      prev_dot = true;
    } else if (c >= '0' && c <= '9') {
      prev_dot = false;
    } else {
      return false;
    }
  }
  return s.find('.') != std::string::npos;
}

}  // namespace

Profile TlsServerProfile(std::string issuing_key) {
  Profile p;
  p.name = "tls-server";
  p.issuing_key = std::move(issuing_key);
  p.key_usage = kKuDigitalSignature;
  p.rsa_adds_key_encipherment = true;
  p.ext_key_usage = {kEkuServerAuth};
  p.max_validity = 90 * kDay;
  p.allow_dns = true;
  p.allow_ip = true;
  p.allow_wildcard = true;
  p.allow_common_name = true;
  return p;
}

Profile TlsClientProfile(std::string issuing_key) {
  Profile p;
  p.name = "tls-client";
  p.issuing_key = std::move(issuing_key);
  p.key_usage = kKuDigitalSignature;
  p.ext_key_usage = {kEkuClientAuth};
  p.max_validity = 30 * kDay;
  p.allow_dns = true;
  p.allow_email = true;
  p.allow_common_name = true;
  return p;
}

Profile CodeSigningProfile(std::string issuing_key) {
  Profile p;
  p.name = "code-signing";
  p.issuing_key = std::move(issuing_key);
  p.key_usage = kKuDigitalSignature;
  p.ext_key_usage = {kEkuCodeSigning};
  p.max_validity = 365 * kDay;
  p.allow_ed25519 = true;
  p.rsa_min_bits = 3072;
  p.allow_email = true;
  p.allow_common_name = true;
  return p;
}

Profile SpiffeWorkloadProfile(std::string issuing_key) {
  Profile p;
  p.name = "spiffe-workload";
  p.issuing_key = std::move(issuing_key);
  p.key_usage = kKuDigitalSignature;
  p.rsa_adds_key_encipherment = true;
  p.ext_key_usage = {kEkuServerAuth, kEkuClientAuth};
  p.max_validity = std::chrono::hours(24);
  p.allow_spiffe_uri = true;
  p.max_uri_names = 1;  // an X509-SVID has exactly one URI SAN
  return p;
}

std::vector<Profile> DefaultProfiles(const std::string& issuing_key) {
  return {TlsServerProfile(issuing_key), TlsClientProfile(issuing_key),
          CodeSigningProfile(issuing_key), SpiffeWorkloadProfile(issuing_key)};
}

Status ValidateProfile(const Profile& p) {
  auto bad = [&](std::string_view what) {
    return InvalidArgumentError("profile '").Append(p.name).Append("': ").Append(what);
  };
  if (p.name.empty() || p.name.size() > 64) return InvalidArgumentError("profile: name must be 1..64 chars");
  for (char c : p.name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
      return InvalidArgumentError("profile: name must be [a-z0-9._-]");
    }
  }
  if (p.issuing_key.empty() || p.issuing_key.find('\n') != std::string::npos) {
    return bad("issuing_key is empty or has a newline");
  }
  if (p.key_usage == 0) return bad("key_usage is empty");
  if ((p.key_usage & ~(kKuDigitalSignature | kKuKeyEncipherment | kKuKeyAgreement)) != 0) {
    return bad("key_usage may hold only digitalSignature, keyEncipherment, keyAgreement");
  }
  for (const std::string& oid : p.ext_key_usage) {
    if (!IsDottedOid(oid)) return bad("ext_key_usage holds a malformed OID");
  }
  if (p.max_validity.count() <= 0) return bad("max_validity must be positive");
  if (p.max_validity > 398 * kDay) return bad("max_validity exceeds 398 days");
  if (!p.allow_ec_p256 && !p.allow_ec_p384 && !p.allow_ed25519 && p.rsa_min_bits == 0) {
    return bad("allows no key algorithm");
  }
  if (p.rsa_min_bits != 0 && (p.rsa_min_bits < 2048 || p.rsa_max_bits < p.rsa_min_bits)) {
    return bad("rsa_min_bits must be >= 2048 and <= rsa_max_bits");
  }
  if (!p.allow_dns && !p.allow_ip && !p.allow_spiffe_uri && !p.allow_email) {
    return bad("allows no name type");
  }
  if (p.allow_wildcard && !p.allow_dns) return bad("allow_wildcard needs allow_dns");
  if (p.max_names == 0) return bad("max_names must be positive");
  return OkStatus();
}

std::string CanonicalProfile(const Profile& p) {
  std::vector<std::string> eku = p.ext_key_usage;
  std::sort(eku.begin(), eku.end());
  std::string out = "pki-profile-v1\n";
  auto line = [&out](std::string_view k, std::string_view v) {
    out.append(k).append("=").append(v).append("\n");
  };
  auto flag = [&line](std::string_view k, bool v) { line(k, v ? "1" : "0"); };
  line("name", p.name);
  line("issuing_key", p.issuing_key);
  line("key_usage", std::to_string(p.key_usage));
  flag("rsa_adds_key_encipherment", p.rsa_adds_key_encipherment);
  std::string joined;
  for (const std::string& e : eku) joined.append(e).append(",");
  line("ext_key_usage", joined);
  line("max_validity_s", std::to_string(p.max_validity.count()));
  flag("allow_ec_p256", p.allow_ec_p256);
  flag("allow_ec_p384", p.allow_ec_p384);
  flag("allow_ed25519", p.allow_ed25519);
  line("rsa_min_bits", std::to_string(p.rsa_min_bits));
  line("rsa_max_bits", std::to_string(p.rsa_max_bits));
  flag("allow_dns", p.allow_dns);
  flag("allow_ip", p.allow_ip);
  flag("allow_spiffe_uri", p.allow_spiffe_uri);
  flag("allow_email", p.allow_email);
  flag("allow_wildcard", p.allow_wildcard);
  flag("allow_common_name", p.allow_common_name);
  line("max_names", std::to_string(p.max_names));
  line("max_uri_names", std::to_string(p.max_uri_names));
  return out;
}

std::string ProfileHashHex(const Profile& p) {
  const std::string canon = CanonicalProfile(p);
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(canon.data()), canon.size(), md);
  return Hex(md, sizeof(md));
}

}  // namespace pki::signer
