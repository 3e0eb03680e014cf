#include "ca/der.h"

#include <cstring>

#include "crypto/heap.h"
#include "crypto/mbedtls_status.h"
#include "crypto/signature.h"
#include "mbedtls/asn1.h"
#include "mbedtls/asn1write.h"
#include "mbedtls/oid.h"
#include "mbedtls/x509.h"

namespace pki::appliance::ca::internal {

// ---- DerWriter -------------------------------------------------------------------

DerWriter::DerWriter(MutableByteSpan buffer)
    : start_(buffer.data()), end_(buffer.data() + buffer.size()), p_(end_) {}

void DerWriter::Raw(ByteSpan bytes) {
  if (ret_ != 0) return;
  Fail(mbedtls_asn1_write_raw_buffer(&p_, start_, bytes.data(), bytes.size()));
}

void DerWriter::Wrap(size_t mark, uint8_t tag) {
  if (ret_ != 0) return;
  const size_t len = Mark() - mark;
  Fail(mbedtls_asn1_write_len(&p_, start_, len));
  if (ret_ == 0) Fail(mbedtls_asn1_write_tag(&p_, start_, tag));
}

void DerWriter::Oid(std::string_view oid) {
  if (ret_ != 0) return;
  Fail(mbedtls_asn1_write_oid(&p_, start_, oid.data(), oid.size()));
}

void DerWriter::Bool(bool value) {
  if (ret_ != 0) return;
  Fail(mbedtls_asn1_write_bool(&p_, start_, value ? 1 : 0));
}

void DerWriter::SmallInt(int value) {
  if (ret_ != 0) return;
  Fail(mbedtls_asn1_write_int(&p_, start_, value));
}

void DerWriter::Enumerated(int value) {
  if (ret_ != 0) return;
  Fail(mbedtls_asn1_write_enum(&p_, start_, value));
}

void DerWriter::UnsignedInt(ByteSpan magnitude) {
  if (ret_ != 0) return;
  size_t skip = 0;
  while (skip + 1 < magnitude.size() && magnitude[skip] == 0) ++skip;  // minimal encoding
  const ByteSpan m = magnitude.subspan(skip);
  const size_t mark = Mark();
  Raw(m.empty() ? ByteSpan(reinterpret_cast<const uint8_t*>("\0"), 1) : m);
  if (ret_ == 0 && (*p_ & 0x80) != 0) {
    const uint8_t zero = 0;
    Raw(ByteSpan(&zero, 1));  // keep it positive
  }
  Wrap(mark, MBEDTLS_ASN1_INTEGER);
}

void DerWriter::Uint64(uint64_t value) {
  uint8_t be[8];
  StoreBe64(be, value);
  UnsignedInt(be);
}

void DerWriter::OctetString(ByteSpan bytes) {
  if (ret_ != 0) return;
  Fail(mbedtls_asn1_write_octet_string(&p_, start_, bytes.data(), bytes.size()));
}

void DerWriter::TaggedString(uint8_t tag, std::string_view text) {
  if (ret_ != 0) return;
  Fail(mbedtls_asn1_write_tagged_string(&p_, start_, tag, text.data(), text.size()));
}

void DerWriter::NamedBitString(ByteSpan bits, size_t bit_count) {
  if (ret_ != 0) return;
  Fail(mbedtls_asn1_write_named_bitstring(&p_, start_, bits.data(), bit_count));
}

namespace {

struct Civil {
  int64_t year;
  int month, day, hour, minute, second;
};

// Howard Hinnant's civil_from_days / days_from_civil (proleptic Gregorian).
Civil CivilFromUnix(int64_t t) {
  int64_t days = t / 86400;
  int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  Civil c;
  c.year = yoe + era * 400 + (m <= 2 ? 1 : 0);
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>((secs % 3600) / 60);
  c.second = static_cast<int>(secs % 60);
  return c;
}

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void PutDigits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

void DerWriter::Time(int64_t unix_seconds) {
  if (ret_ != 0) return;
  if (unix_seconds < kMinTime || unix_seconds > kMaxTime) {
    ret_ = MBEDTLS_ERR_ASN1_INVALID_DATA;
    return;
  }
  const Civil c = CivilFromUnix(unix_seconds);
  char text[16];
  size_t n = 0;
  uint8_t tag;
  if (c.year >= 1950 && c.year <= 2049) {  // RFC 5280 4.1.2.5: UTCTime through 2049
    PutDigits(text, c.year % 100, 2);
    n = 2;
    tag = MBEDTLS_ASN1_UTC_TIME;
  } else {
    PutDigits(text, c.year, 4);
    n = 4;
    tag = MBEDTLS_ASN1_GENERALIZED_TIME;
  }
  PutDigits(text + n, c.month, 2);
  PutDigits(text + n + 2, c.day, 2);
  PutDigits(text + n + 4, c.hour, 2);
  PutDigits(text + n + 6, c.minute, 2);
  PutDigits(text + n + 8, c.second, 2);
  text[n + 10] = 'Z';
  TaggedString(tag, std::string_view(text, n + 11));
}

StatusOr<size_t> DerWriter::Finish(std::string_view what) {
  if (ret_ != 0) {
    Status s = crypto::internal::MbedtlsStatus(ret_, StatusCode::kInternal, what);
    if (s.code() == StatusCode::kOutOfRange) return OutOfRangeError(what).Append(": output buffer too small");
    return s;
  }
  const size_t n = Mark();
  std::memmove(start_, p_, n);
  return n;
}

// ---- time --------------------------------------------------------------------

Status CheckTimeRange(int64_t t, std::string_view what) {
  if (t < kMinTime || t > kMaxTime) {
    return InvalidArgumentError(what).Append(": date outside 1950..9999");
  }
  return OkStatus();
}

int64_t UnixFromX509Time(const mbedtls_x509_time& t) {
  return DaysFromCivil(t.year, t.mon, t.day) * 86400 + t.hour * 3600 + t.min * 60 + t.sec;
}

// ---- algorithms and key ids ----------------------------------------------------

void WriteSignatureAlgorithm(DerWriter& w, crypto::KeyAlgorithm alg) {
  const bool sha384 = crypto::DefaultHashFor(alg) == crypto::HashAlg::kSha384;
  const size_t mark = w.Mark();
  if (crypto::IsRsa(alg)) {
    w.Call([](unsigned char** p, unsigned char* start) { return mbedtls_asn1_write_null(p, start); });
    w.Oid(sha384 ? std::string_view(MBEDTLS_OID_PKCS1_SHA384) : std::string_view(MBEDTLS_OID_PKCS1_SHA256));
  } else {
    // RFC 5758 3.2: the parameters field MUST be absent for ecdsa-with-SHA*.
    w.Oid(sha384 ? std::string_view(MBEDTLS_OID_ECDSA_SHA384) : std::string_view(MBEDTLS_OID_ECDSA_SHA256));
  }
  w.Wrap(mark, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
}

StatusOr<KeyId> KeyIdFromSpki(ByteSpan spki_der) {
  unsigned char* p = const_cast<unsigned char*>(spki_der.data());
  const unsigned char* end = spki_der.data() + spki_der.size();
  size_t len = 0;
  if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 ||
      p + len != end) {
    return InvalidArgumentError("SPKI: not a SEQUENCE");
  }
  if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
    return InvalidArgumentError("SPKI: no AlgorithmIdentifier");
  }
  p += len;
  mbedtls_asn1_bitstring bits;
  if (mbedtls_asn1_get_bitstring(&p, end, &bits) != 0 || bits.unused_bits != 0 || p != end) {
    return InvalidArgumentError("SPKI: bad subjectPublicKey");
  }
  const crypto::Sha256Digest h = crypto::Sha256(ByteSpan(bits.p, bits.len));
  KeyId id{};
  std::memcpy(id.data(), h.data(), id.size());
  return id;
}

StatusOr<size_t> NameFromString(std::string_view dn, MutableByteSpan out) {
  if (dn.empty()) return InvalidArgumentError("subject: empty distinguished name");
  char text[256];
  if (dn.size() >= sizeof(text)) return InvalidArgumentError("subject: distinguished name longer than 255 characters");
  std::memcpy(text, dn.data(), dn.size());
  text[dn.size()] = '\0';
  crypto::InitPool();
  mbedtls_asn1_named_data* head = nullptr;
  int ret = mbedtls_x509_string_to_names(&head, text);
  if (ret != 0 || head == nullptr) {
    mbedtls_asn1_free_named_data_list(&head);
    return InvalidArgumentError("subject: distinguished name does not parse (use C=..,O=..,CN=..)");
  }
  // An empty value ("CN=") is no name, and mbedTLS would copy it from a null
  // pointer (undefined behaviour; found by appliance_dispatch_fuzz).
  for (const mbedtls_asn1_named_data* a = head; a != nullptr; a = a->next) {
    if (a->val.len == 0 || a->val.p == nullptr) {
      mbedtls_asn1_free_named_data_list(&head);
      return InvalidArgumentError("subject: an attribute has an empty value");
    }
  }
  DerWriter w(out);
  w.Call([head](unsigned char** p, unsigned char* start) { return mbedtls_x509_write_names(p, start, head); });
  mbedtls_asn1_free_named_data_list(&head);
  return w.Finish("subject");
}

Status CheckUrl(std::string_view url, size_t max, std::string_view field) {
  if (url.empty()) return InvalidArgumentError(field).Append(": required URL is missing");
  if (url.size() > max) return InvalidArgumentError(field).Append(": URL too long");
  const bool http = url.substr(0, 7) == "http://";
  const bool https = url.substr(0, 8) == "https://";
  if (!http && !https) return InvalidArgumentError(field).Append(": URL must start with http:// or https://");
  const size_t host = http ? 7 : 8;
  if (url.size() == host || url[host] == '/') return InvalidArgumentError(field).Append(": URL has no host");
  for (char ch : url) {
    if (ch <= 0x20 || ch >= 0x7f) return InvalidArgumentError(field).Append(": URL has a space or non-ASCII character");
  }
  return OkStatus();
}

StatusOr<ByteSpan> FindExtension(ByteSpan v3_ext, std::string_view oid) {
  if (v3_ext.empty()) return NotFoundError("no extensions");
  unsigned char* p = const_cast<unsigned char*>(v3_ext.data());
  const unsigned char* end = v3_ext.data() + v3_ext.size();
  size_t len = 0;
  if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 ||
      p + len != end) {
    return InvalidArgumentError("extensions: not a SEQUENCE");
  }
  while (p < end) {
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
      return InvalidArgumentError("extensions: bad Extension");
    }
    const unsigned char* ext_end = p + len;
    size_t oid_len = 0;
    if (mbedtls_asn1_get_tag(&p, ext_end, &oid_len, MBEDTLS_ASN1_OID) != 0) {
      return InvalidArgumentError("extensions: bad extnID");
    }
    const std::string_view this_oid(reinterpret_cast<const char*>(p), oid_len);
    p += oid_len;
    int critical = 0;
    const int r = mbedtls_asn1_get_bool(&p, ext_end, &critical);
    if (r != 0 && r != MBEDTLS_ERR_ASN1_UNEXPECTED_TAG) return InvalidArgumentError("extensions: bad critical");
    size_t value_len = 0;
    if (mbedtls_asn1_get_tag(&p, ext_end, &value_len, MBEDTLS_ASN1_OCTET_STRING) != 0 || p + value_len != ext_end) {
      return InvalidArgumentError("extensions: bad extnValue");
    }
    if (this_oid == oid) return ByteSpan(p, value_len);
    p += value_len;
  }
  return NotFoundError("extension not present");
}

StatusOr<SignedParts> SplitSigned(ByteSpan der) {
  unsigned char* p = const_cast<unsigned char*>(der.data());
  const unsigned char* end = der.data() + der.size();
  size_t len = 0;
  constexpr int kSeq = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
  if (mbedtls_asn1_get_tag(&p, end, &len, kSeq) != 0 || p + len != end) {
    return InvalidArgumentError("signed structure: not one DER SEQUENCE");
  }
  SignedParts parts;
  const unsigned char* tbs_start = p;
  if (mbedtls_asn1_get_tag(&p, end, &len, kSeq) != 0) return InvalidArgumentError("signed structure: bad TBS");
  p += len;
  parts.tbs = ByteSpan(tbs_start, static_cast<size_t>(p - tbs_start));
  const unsigned char* alg_start = p;
  if (mbedtls_asn1_get_tag(&p, end, &len, kSeq) != 0) return InvalidArgumentError("signed structure: bad algorithm");
  p += len;
  parts.outer_alg = ByteSpan(alg_start, static_cast<size_t>(p - alg_start));
  if (mbedtls_asn1_get_bitstring_null(&p, end, &len) != 0 || p + len != end) {
    return InvalidArgumentError("signed structure: bad signature BIT STRING");
  }
  parts.signature = ByteSpan(p, len);
  return parts;
}

}  // namespace pki::appliance::ca::internal
