#include "uri.h"

#include <charconv>
#include <vector>

namespace pki::signer::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

StatusOr<std::string> PercentDecode(std::string_view attr, std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return InvalidArgumentError("PKCS#11 URI: truncated percent escape in '")
            .Append(attr)
            .Append("'");
      }
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return InvalidArgumentError("PKCS#11 URI: bad percent escape in '").Append(attr).Append("'");
      }
      out.push_back(static_cast<char>((hi << 4) | lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

Status SetOnce(std::optional<std::string>* field, std::string_view attr, std::string value) {
  if (field->has_value()) {
    return InvalidArgumentError("PKCS#11 URI: attribute '").Append(attr).Append("' given twice");
  }
  *field = std::move(value);
  return OkStatus();
}

StatusOr<CK_OBJECT_CLASS> ParseType(std::string_view v) {
  if (v == "private") return static_cast<CK_OBJECT_CLASS>(CKO_PRIVATE_KEY);
  if (v == "public") return static_cast<CK_OBJECT_CLASS>(CKO_PUBLIC_KEY);
  if (v == "cert") return static_cast<CK_OBJECT_CLASS>(CKO_CERTIFICATE);
  if (v == "secret-key") return static_cast<CK_OBJECT_CLASS>(CKO_SECRET_KEY);
  if (v == "data") return static_cast<CK_OBJECT_CLASS>(CKO_DATA);
  return InvalidArgumentError("PKCS#11 URI: attribute 'type' must be private, public, cert, "
                              "secret-key or data");
}

StatusOr<uint64_t> ParseUnsigned(std::string_view attr, std::string_view v) {
  uint64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size()) {
    return InvalidArgumentError("PKCS#11 URI: attribute '").Append(attr).Append("' is not a number");
  }
  return out;
}

bool FieldEquals(const std::optional<std::string>& want, const unsigned char* field, size_t n) {
  return !want || *want == PaddedField(field, n);
}

}  // namespace

std::string PaddedField(const unsigned char* field, size_t size) {
  size_t n = size;
  while (n > 0 && (field[n - 1] == ' ' || field[n - 1] == '\0')) --n;
  return std::string(reinterpret_cast<const char*>(field), n);
}

const char* ObjectClassName(CK_OBJECT_CLASS cls) {
  switch (cls) {
    case CKO_PRIVATE_KEY: return "private";
    case CKO_PUBLIC_KEY: return "public";
    case CKO_CERTIFICATE: return "cert";
    case CKO_SECRET_KEY: return "secret-key";
    case CKO_DATA: return "data";
    default: return "";
  }
}

StatusOr<Pkcs11Uri> Pkcs11Uri::Parse(std::string_view uri) {
  constexpr std::string_view kScheme = "pkcs11:";
  if (uri.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgumentError("PKCS#11 URI must start with 'pkcs11:'");
  }
  std::string_view rest = uri.substr(kScheme.size());
  std::string_view path = rest;
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    path = rest.substr(0, q);
    query = rest.substr(q + 1);
  }
  Pkcs11Uri out;
  if (!path.empty()) {
    for (std::string_view part : Split(path, ';')) {
      size_t eq = part.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return InvalidArgumentError("PKCS#11 URI: path attribute without '=': '")
            .Append(part.substr(0, 40))
            .Append("'");
      }
      std::string_view name = part.substr(0, eq);
      PKI_ASSIGN_OR_RETURN(std::string value, PercentDecode(name, part.substr(eq + 1)));
      if (name == "token") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.token, name, std::move(value)));
      } else if (name == "manufacturer") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.manufacturer, name, std::move(value)));
      } else if (name == "serial") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.serial, name, std::move(value)));
      } else if (name == "model") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.model, name, std::move(value)));
      } else if (name == "object") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.object, name, std::move(value)));
      } else if (name == "id") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.id, name, std::move(value)));
      } else if (name == "library-manufacturer") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.library_manufacturer, name, std::move(value)));
      } else if (name == "library-description") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.library_description, name, std::move(value)));
      } else if (name == "slot-manufacturer") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.slot_manufacturer, name, std::move(value)));
      } else if (name == "slot-description") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.slot_description, name, std::move(value)));
      } else if (name == "type") {
        if (out.type) return InvalidArgumentError("PKCS#11 URI: attribute 'type' given twice");
        PKI_ASSIGN_OR_RETURN(out.type, ParseType(value));
      } else if (name == "slot-id") {
        if (out.slot_id) return InvalidArgumentError("PKCS#11 URI: attribute 'slot-id' given twice");
        PKI_ASSIGN_OR_RETURN(out.slot_id, ParseUnsigned(name, value));
      } else if (name == "library-version") {
        if (out.library_version) {
          return InvalidArgumentError("PKCS#11 URI: attribute 'library-version' given twice");
        }
        std::string_view v = value;
        size_t dot = v.find('.');
        PKI_ASSIGN_OR_RETURN(uint64_t major, ParseUnsigned(name, v.substr(0, dot)));
        uint64_t minor = 0;
        if (dot != std::string_view::npos) {
          PKI_ASSIGN_OR_RETURN(minor, ParseUnsigned(name, v.substr(dot + 1)));
        }
        if (major > 255 || minor > 255) {
          return InvalidArgumentError("PKCS#11 URI: attribute 'library-version' out of range");
        }
        out.library_version = std::make_pair(static_cast<uint8_t>(major), static_cast<uint8_t>(minor));
      } else if (name == "pin-value" || name == "pin-source") {
        return InvalidArgumentError("PKCS#11 URI: secrets are refused in URIs ('")
            .Append(name)
            .Append("'); configure a pin_file");
      } else if (name.substr(0, 2) == "x-") {
        // Vendor attribute: ignored.
      } else {
        return InvalidArgumentError("PKCS#11 URI: unknown path attribute '")
            .Append(name.substr(0, 40))
            .Append("'");
      }
    }
  }
  if (!query.empty()) {
    for (std::string_view part : Split(query, '&')) {
      size_t eq = part.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return InvalidArgumentError("PKCS#11 URI: query attribute without '='");
      }
      std::string_view name = part.substr(0, eq);
      PKI_ASSIGN_OR_RETURN(std::string value, PercentDecode(name, part.substr(eq + 1)));
      if (name == "pin-value" || name == "pin-source") {
        return InvalidArgumentError("PKCS#11 URI: secrets are refused in URIs ('")
            .Append(name)
            .Append("'); configure a pin_file");
      } else if (name == "module-name") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.module_name, name, std::move(value)));
      } else if (name == "module-path") {
        PKI_RETURN_IF_ERROR(SetOnce(&out.module_path, name, std::move(value)));
      } else if (name.substr(0, 2) == "x-") {
      } else {
        return InvalidArgumentError("PKCS#11 URI: unknown query attribute '")
            .Append(name.substr(0, 40))
            .Append("'");
      }
    }
  }
  return out;
}

bool Pkcs11Uri::MatchesModule(const CK_INFO& info, std::string_view path) const {
  if (!FieldEquals(library_manufacturer, info.manufacturerID, sizeof(info.manufacturerID))) {
    return false;
  }
  if (!FieldEquals(library_description, info.libraryDescription,
                   sizeof(info.libraryDescription))) {
    return false;
  }
  if (library_version && (info.libraryVersion.major != library_version->first ||
                          info.libraryVersion.minor != library_version->second)) {
    return false;
  }
  if (module_path && *module_path != path) return false;
  if (module_name) {
    // module-name is the file name without "lib" prefix and extension.
    std::string_view base = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
    if (base.substr(0, 3) == "lib") base.remove_prefix(3);
    base = base.substr(0, base.find('.'));
    if (base != *module_name) return false;
  }
  return true;
}

bool Pkcs11Uri::MatchesSlot(CK_SLOT_ID slot, const CK_SLOT_INFO& info) const {
  if (slot_id && *slot_id != static_cast<uint64_t>(slot)) return false;
  return FieldEquals(slot_manufacturer, info.manufacturerID, sizeof(info.manufacturerID)) &&
         FieldEquals(slot_description, info.slotDescription, sizeof(info.slotDescription));
}

bool Pkcs11Uri::MatchesToken(const CK_TOKEN_INFO& info) const {
  return FieldEquals(token, info.label, sizeof(info.label)) &&
         FieldEquals(manufacturer, info.manufacturerID, sizeof(info.manufacturerID)) &&
         FieldEquals(serial, info.serialNumber, sizeof(info.serialNumber)) &&
         FieldEquals(model, info.model, sizeof(info.model));
}

namespace {

// Encode percent-encodes |value| for an attribute value of the path
// (|in_query| false) or of the query (true). RFC 7512 allows '&' plain in
// path values only: in the query it separates attributes.
std::string Encode(std::string_view value, bool in_query) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                 u == '-' || u == '.' || u == '_' || u == '~' || u == ':' || u == '[' ||
                 u == ']' || u == '@' || u == '!' || u == '$' || u == '\'' || u == '(' ||
                 u == ')' || u == '*' || u == '+' || u == ',' || (u == '&' && !in_query);
    if (plain) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace

std::string PercentEncode(std::string_view value) { return Encode(value, false); }

std::string Pkcs11Uri::ToString() const {
  std::string out = "pkcs11:";
  bool first = true;
  auto add = [&](std::string_view name, std::string_view value) {
    if (!first) out += ';';
    first = false;
    out += name;
    out += '=';
    out += PercentEncode(value);
  };
  if (library_manufacturer) add("library-manufacturer", *library_manufacturer);
  if (library_description) add("library-description", *library_description);
  if (library_version) {
    add("library-version",
        std::to_string(library_version->first) + "." + std::to_string(library_version->second));
  }
  if (slot_manufacturer) add("slot-manufacturer", *slot_manufacturer);
  if (slot_description) add("slot-description", *slot_description);
  if (slot_id) add("slot-id", std::to_string(*slot_id));
  if (model) add("model", *model);
  if (manufacturer) add("manufacturer", *manufacturer);
  if (serial) add("serial", *serial);
  if (token) add("token", *token);
  if (object) add("object", *object);
  if (id) {
    // CKA_ID is binary: every byte percent-encoded (as RFC 7512 suggests and
    // p11-kit does).
    static const char kHex[] = "0123456789ABCDEF";
    std::string enc;
    for (char c : *id) {
      auto u = static_cast<unsigned char>(c);
      enc += '%';
      enc += kHex[u >> 4];
      enc += kHex[u & 15];
    }
    if (!first) out += ';';
    first = false;
    out += "id=" + enc;
  }
  if (type) add("type", ObjectClassName(*type));
  std::string q;
  if (module_name) q += "module-name=" + Encode(*module_name, true);
  if (module_path) q += (q.empty() ? "" : "&") + std::string("module-path=") + Encode(*module_path, true);
  if (!q.empty()) out += "?" + q;
  return out;
}

std::string TokenUriOf(const CK_TOKEN_INFO& info) {
  Pkcs11Uri uri;
  uri.model = PaddedField(info.model, sizeof(info.model));
  uri.manufacturer = PaddedField(info.manufacturerID, sizeof(info.manufacturerID));
  uri.serial = PaddedField(info.serialNumber, sizeof(info.serialNumber));
  uri.token = PaddedField(info.label, sizeof(info.label));
  return uri.ToString();
}

}  // namespace pki::signer::internal
