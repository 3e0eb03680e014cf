// der.h — DER building blocks for ca/ (internal): a backwards writer over
// mbedTLS's ASN.1 writer, RFC 5280 time encoding, the signature
// AlgorithmIdentifier for a key (ECDSA without parameters, RFC 5758), the
// SKI method, and small readers for parse-back checks.
#ifndef PKI_APPLIANCE_CA_DER_H_
#define PKI_APPLIANCE_CA_DER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/status_or.h"
#include "crypto/digest.h"
#include "crypto/keypair.h"
#include "mbedtls/x509.h"

namespace pki::appliance::ca::internal {

// OIDs mbedTLS 2.28 has no macro for (DER contents, no tag/length).
inline constexpr std::string_view kOidCrlNumber = "\x55\x1d\x14";
inline constexpr std::string_view kOidReasonCode = "\x55\x1d\x15";
inline constexpr std::string_view kOidIssuingDistributionPoint = "\x55\x1d\x1c";
inline constexpr std::string_view kOidAuthorityInfoAccess = "\x2b\x06\x01\x05\x05\x07\x01\x01";
inline constexpr std::string_view kOidCaIssuers = "\x2b\x06\x01\x05\x05\x07\x30\x02";

// DerWriter writes DER backwards from the end of a caller buffer, as mbedTLS's
// ASN.1 writer does: write the last element first. The first error sticks;
// later calls do nothing. Mark()/Wrap() frame constructed values:
//   size_t m = w.Mark(); <write contents, last first>; w.Wrap(m, tag);
class DerWriter final {
 public:
  // Borrows |buffer| for the writer's life.
  explicit DerWriter(MutableByteSpan buffer);

  size_t Mark() const { return static_cast<size_t>(end_ - p_); }
  bool ok() const { return ret_ == 0; }
  int error() const { return ret_; }
  // Written bytes so far (valid while the buffer lives).
  ByteSpan Written() const { return ByteSpan(p_, Mark()); }

  void Raw(ByteSpan bytes);
  // Wrap prefixes everything written since |mark| with a length and |tag|.
  void Wrap(size_t mark, uint8_t tag);
  void Oid(std::string_view oid);  // contents of an OID (e.g. MBEDTLS_OID_* strings)
  void Bool(bool value);
  void SmallInt(int value);                      // INTEGER >= 0
  void Enumerated(int value);                    // ENUMERATED >= 0
  void UnsignedInt(ByteSpan magnitude);          // INTEGER from a big-endian magnitude (adds 0x00 if needed)
  void Uint64(uint64_t value);                   // INTEGER
  void OctetString(ByteSpan bytes);
  void TaggedString(uint8_t tag, std::string_view text);  // e.g. 0x86 URI, 0x82 dNSName (IA5)
  void NamedBitString(ByteSpan bits, size_t bit_count);
  void Time(int64_t unix_seconds);  // UTCTime for 1950..2049, GeneralizedTime otherwise

  // Call runs an mbedTLS writer f(&p, start, args...) that returns a length or
  // an error.
  template <typename F>
  void Call(F&& f) {
    if (ret_ != 0) return;
    const int r = f(&p_, start_);
    if (r < 0) ret_ = r;
  }

  // Finish moves the written bytes to the front of the buffer and returns
  // their length; OUT_OF_RANGE "<what>: output buffer too small" or
  // INTERNAL if an mbedTLS writer failed.
  StatusOr<size_t> Finish(std::string_view what);

 private:
  void Fail(int r) {
    if (ret_ == 0 && r < 0) ret_ = r;
  }
  unsigned char* start_;
  unsigned char* end_;
  unsigned char* p_;
  int ret_ = 0;
};

// ---- time --------------------------------------------------------------------

inline constexpr int64_t kMinTime = -631152000;     // 1950-01-01T00:00:00Z
inline constexpr int64_t kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z

// CheckTimeRange is OK if |t| can be written in a certificate.
[[nodiscard]] Status CheckTimeRange(int64_t t, std::string_view what);

// UnixFromX509Time converts a parsed mbedTLS time (UTC) to unix seconds.
int64_t UnixFromX509Time(const mbedtls_x509_time& t);

// ---- algorithms and key ids ----------------------------------------------------

// WriteSignatureAlgorithm writes the AlgorithmIdentifier the appliance signs
// with for |alg| (ecdsa-with-SHA256/384 without parameters; sha256/384With
// RSAEncryption with NULL). DefaultHashFor(alg) picks the hash.
void WriteSignatureAlgorithm(DerWriter& w, crypto::KeyAlgorithm alg);

inline constexpr size_t kKeyIdSize = 20;
using KeyId = std::array<uint8_t, kKeyIdSize>;

// KeyIdFromSpki returns the leftmost 160 bits of SHA-256 over the
// subjectPublicKey BIT STRING value of |spki_der| (RFC 7093 method 1).
// INVALID_ARGUMENT if |spki_der| is not a SubjectPublicKeyInfo.
StatusOr<KeyId> KeyIdFromSpki(ByteSpan spki_der);

// NameFromString turns an mbedTLS DN string ("C=US,O=x,CN=y") into Name DER
// at the front of |out|; INVALID_ARGUMENT if it does not parse or is empty.
StatusOr<size_t> NameFromString(std::string_view dn, MutableByteSpan out);

// CheckUrl is OK for an http:// or https:// URL of printable ASCII without
// spaces, at most |max| characters; INVALID_ARGUMENT naming |field| otherwise.
[[nodiscard]] Status CheckUrl(std::string_view url, size_t max, std::string_view field);

// FindExtension looks for extension |oid| in a certificate's raw extensions
// (mbedtls_x509_crt::v3_ext). Returns the extnValue contents, or NOT_FOUND;
// INVALID_ARGUMENT if the extensions are malformed.
StatusOr<ByteSpan> FindExtension(ByteSpan v3_ext, std::string_view oid);

// SplitSigned reads a signed structure SEQUENCE { tbs, AlgorithmIdentifier,
// BIT STRING } (Certificate or CertificateList). INVALID_ARGUMENT if it is not
// one (trailing bytes included).
struct SignedParts {
  ByteSpan tbs;         // whole TBS element, tag included
  ByteSpan outer_alg;   // whole AlgorithmIdentifier element
  ByteSpan signature;   // BIT STRING contents without the unused-bits byte
};
StatusOr<SignedParts> SplitSigned(ByteSpan der);

}  // namespace pki::appliance::ca::internal

#endif  // PKI_APPLIANCE_CA_DER_H_
