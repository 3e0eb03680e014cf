// issuance.h — certificate issuance for RA backends (issue 7).
//
// An IssuanceEngine turns a PKCS#10 CSR into an end-entity certificate under
// a named Profile, signed by an issuing key that stays in the HSM pool. The
// signer decides everything but the names and the public key: serial,
// validity, extensions and issuer come from the profile and the issuer
// configuration; names come from the CSR only and must pass the profile and
// the calling client's NameAllowlist. Before the HSM signs, the intent is
// journaled and a copy of the TBSCertificate signed with a throwaway key is
// linted; after, the real certificate's TBS must be byte-identical to the
// linted one and its signature must verify under the issuer's key. Only then
// is it released. See docs/issuance.md.
//
// Link target: pki::signer_issuance.
#ifndef PKI_SIGNER_ISSUANCE_H_
#define PKI_SIGNER_ISSUANCE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status_or.h"
#include "signer/key_pool.h"

namespace pki::signer {

// KeyUsage bits, numbered as OpenSSL's KU_* (X509_get_key_usage).
inline constexpr uint16_t kKuDigitalSignature = 0x0080;
inline constexpr uint16_t kKuKeyEncipherment = 0x0020;
inline constexpr uint16_t kKuKeyAgreement = 0x0008;

// Extended key usages, dotted OIDs.
inline constexpr const char* kEkuServerAuth = "1.3.6.1.5.5.7.3.1";
inline constexpr const char* kEkuClientAuth = "1.3.6.1.5.5.7.3.2";
inline constexpr const char* kEkuCodeSigning = "1.3.6.1.5.5.7.3.3";

// A certificate profile: plain data the config loader fills.
struct Profile {
  std::string name;                        // "tls-server"
  std::string issuing_key;                 // KeyPool alias of the issuer that signs it
  uint16_t key_usage = kKuDigitalSignature;  // KU (critical)
  bool rsa_adds_key_encipherment = false;  // RSA subject keys also get keyEncipherment
  std::vector<std::string> ext_key_usage;  // EKU OIDs; empty: no EKU extension
  std::chrono::seconds max_validity{std::chrono::hours(24 * 90)};
  // Subject key algorithms.
  bool allow_ec_p256 = true;
  bool allow_ec_p384 = true;
  bool allow_ed25519 = false;
  uint32_t rsa_min_bits = 2048;  // 0: RSA refused; public exponent must be 65537
  uint32_t rsa_max_bits = 8192;
  // Name types a CSR may carry (subjectAltName).
  bool allow_dns = false;
  bool allow_ip = false;
  bool allow_spiffe_uri = false;  // URI SANs, spiffe:// only
  bool allow_email = false;
  bool allow_wildcard = false;  // "*.example.com" as a whole leftmost label
  bool allow_common_name = false;  // CN allowed (must equal one of the SANs)
  uint32_t max_names = 100;
  uint32_t max_uri_names = 0;  // 0: no limit beyond max_names (SPIFFE: 1)
};

// The four built-in profiles; |issuing_key| names the issuer alias.
Profile TlsServerProfile(std::string issuing_key);
Profile TlsClientProfile(std::string issuing_key);
Profile CodeSigningProfile(std::string issuing_key);
Profile SpiffeWorkloadProfile(std::string issuing_key);
// DefaultProfiles returns the four above, all issued by |issuing_key|.
std::vector<Profile> DefaultProfiles(const std::string& issuing_key);

// ValidateProfile returns INVALID_ARGUMENT naming the first bad field.
Status ValidateProfile(const Profile& profile);
// CanonicalProfile returns the canonical serialization ProfileHash hashes:
// one "field=value\n" line per field in a fixed order, lists sorted.
std::string CanonicalProfile(const Profile& profile);
// ProfileHashHex returns the lower-case hex SHA-256 of CanonicalProfile.
std::string ProfileHashHex(const Profile& profile);

// What one client may have in its certificates. An empty list allows nothing
// of that type.
struct NameAllowlist {
  std::vector<std::string> dns_suffixes;          // "example.com" allows it and below
  std::vector<std::string> ip_cidrs;              // "10.0.0.0/8", "2001:db8::/32"
  std::string spiffe_trust_domain;                // "prod.example.org"
  std::vector<std::string> spiffe_path_prefixes;  // "/ns/payments"; "/" allows all
  std::vector<std::string> email_domains;         // "example.com" (exact domain)
};

// ValidateAllowlist returns INVALID_ARGUMENT naming the first bad entry.
Status ValidateAllowlist(const NameAllowlist& allowlist);

// An issuer: an intermediate CA whose key is in the pool.
struct IssuerConfig {
  std::string key_name;                 // KeyPool alias (what Profile::issuing_key names)
  SignAlgorithm signature_algorithm = SignAlgorithm::kEcdsaP256Sha256;
  std::string certificate_der;          // the issuer's own certificate
  std::vector<std::string> chain_der;   // above it, up to (optionally) the root
  std::vector<std::string> crl_urls;    // CRL distribution points (http://)
  std::vector<std::string> ca_issuers_urls;  // AIA caIssuers (http://)
  std::vector<std::string> ocsp_urls;   // AIA OCSP (optional)
  std::chrono::seconds backdate{60};    // notBefore = now - backdate (at most 1 hour)
};

// TbsSigner signs a DER TBSCertificate with an issuer's key. Implementations
// hash as |alg| requires; returns the signature as X.509 wants it (DER
// ECDSA-Sig-Value, raw RSA PKCS#1 v1.5, raw Ed25519). Errors are passed on
// to the caller of Issue unchanged (UNAVAILABLE, DEADLINE_EXCEEDED...).
class TbsSigner {
 public:
  virtual ~TbsSigner() = default;
  virtual StatusOr<std::string> SignTbs(SignAlgorithm alg, ByteSpan tbs_der) = 0;
};

// NewKeyPoolTbsSigner returns a TbsSigner over KeyPool::Sign with key |name|
// version |version| (0: primary). Borrows |pool|, which must outlive it.
// |deadline| bounds each Sign call. PKCS#11 detail goes nowhere: the audit
// adapter records the outcome.
std::unique_ptr<TbsSigner> NewKeyPoolTbsSigner(KeyPool& pool, std::string name, uint32_t version,
                                               std::chrono::milliseconds deadline);

// What is journaled before the HSM signs. No secret in it.
struct IssuanceIntent {
  std::string client_id;
  std::string request_id;
  std::string requester_ref;
  std::string profile;
  std::string profile_hash_hex;
  std::string issuing_key;
  std::string serial_hex;
  std::string subject;             // RFC 2253 text, "" if empty
  std::vector<std::string> names;  // "dns:a.example.com", "ip:10.0.0.1", "uri:...", "email:..."
  int64_t not_before_unix = 0;
  int64_t not_after_unix = 0;
  std::string tbs_sha256_hex;      // of the linted TBSCertificate
  std::string csr_sha256_hex;      // of the CSR (DER): with |profile|, what a retry must match
};

// IssuanceJournal records intents and outcomes (the audit log adapter is
// wiring work). A failed RecordIntent stops the issuance before the HSM
// signs; a failed RecordOutcome(ok) withholds the certificate.
class IssuanceJournal {
 public:
  virtual ~IssuanceJournal() = default;
  virtual Status RecordIntent(const IssuanceIntent& intent) = 0;
  // |outcome| OK with the certificate's SHA-256, or the error that stopped it.
  virtual Status RecordOutcome(const IssuanceIntent& intent, const Status& outcome,
                               std::string_view certificate_sha256_hex) = 0;
  // RecordIssued records the OK outcome with the certificate itself (DER), so
  // a journal that keeps it can answer a retry after a restart
  // (IssuanceEngine::Remember). Default: RecordOutcome(OK, its SHA-256).
  virtual Status RecordIssued(const IssuanceIntent& intent, std::string_view certificate_der);
};

struct IssuanceRequest {
  std::string client_id;      // authenticated peer (policy's identity)
  std::string request_id;     // idempotency key chosen by the RA, 1..128 printable chars
  std::string requester_ref;  // free text for the audit log (ACME order URL...)
  std::string profile;        // profile name
  std::string csr_der;        // PKCS#10, DER
};

struct IssuedCertificate {
  std::string certificate_der;
  std::vector<std::string> chain_der;  // issuer certificate first, then its chain
  std::string serial_hex;              // lower-case, 40 digits
  std::string profile_hash_hex;
  int64_t not_before_unix = 0;
  int64_t not_after_unix = 0;
  bool replayed = false;  // true when served from the idempotency store
};

// IdempotencyIndex answers retries: client + request id -> the certificate
// issued for it and the request's fingerprint (profile name + CSR SHA-256).
// A bounded LRU in memory; an engine makes its own unless given one, and
// the engines a reload swaps share one (IssuanceOptions::idempotency).
class IdempotencyIndex;
// NewIdempotencyIndex returns an empty index of |capacity| entries (≥ 1).
std::shared_ptr<IdempotencyIndex> NewIdempotencyIndex(size_t capacity);
// SetIdempotencyCapacity changes the bound (evicting the least recently used).
void SetIdempotencyCapacity(IdempotencyIndex& index, size_t capacity);
// IdempotencyIndexSize returns the number of finished entries.
size_t IdempotencyIndexSize(const IdempotencyIndex& index);

// A certificate issued earlier (by this or an earlier signerd), as the
// journal recorded it: what IssuanceEngine::Remember puts back in the index.
struct PriorIssuance {
  std::string client_id;
  std::string request_id;
  std::string profile;           // profile name
  std::string profile_hash_hex;  // the profile's hash when it was issued
  std::string csr_sha256_hex;
  std::string certificate_der;
};

struct IssuanceOptions {
  size_t idempotency_capacity = 10000;  // LRU entries (client + request id), in memory
  // Shared index (reload keeps it); null: the engine makes one of
  // idempotency_capacity entries.
  std::shared_ptr<IdempotencyIndex> idempotency;
  std::function<int64_t()> now_unix;    // clock; empty: system clock
#if !PKI_PRODUCTION_BUILD
  // Test-only fault injection: mutates the TBS handed to the real signer
  // after the lint (to prove the byte-identity check). Refused in production.
  std::function<void(std::string&)> tamper_tbs_for_test;
#endif
};

class IssuanceEngine final {
 public:
  struct Issuer {
    IssuerConfig config;
    std::shared_ptr<TbsSigner> signer;
  };

  // Create validates every profile and issuer (certificates parse, the
  // issuer is a CA that may sign certificates, its key type fits
  // signature_algorithm, every profile's issuing_key names an issuer, URLs
  // are http(s) without commas) and returns a new engine the caller owns.
  // Borrows |journal|, which must outlive the engine. INVALID_ARGUMENT names
  // what was wrong.
  static StatusOr<std::unique_ptr<IssuanceEngine>> Create(std::vector<Profile> profiles,
                                                          std::vector<Issuer> issuers,
                                                          IssuanceJournal& journal,
                                                          IssuanceOptions options = {});
  ~IssuanceEngine();
  IssuanceEngine(const IssuanceEngine&) = delete;
  IssuanceEngine& operator=(const IssuanceEngine&) = delete;

  // Issue issues a certificate for |request| under the names |allowlist|
  // permits (borrowed for the call). Thread-safe. Errors:
  //   NOT_FOUND            unknown profile
  //   INVALID_ARGUMENT     malformed CSR or request id, CSR signature does not
  //                        verify (proof of possession), key type/size or a
  //                        name the profile refuses (message names it)
  //   PERMISSION_DENIED    a name outside the client's allowlist
  //   ALREADY_EXISTS       request id reused with a different CSR or profile
  //   ABORTED              the same request id is being issued right now
  //   FAILED_PRECONDITION  the issuer's certificate has expired
  //   INTERNAL             lint failure, TBS mismatch, bad signature (audited,
  //                        nothing released)
  //   others               from the TbsSigner or the journal, unchanged.
  // A failed request changes no state (the idempotency entry is dropped).
  StatusOr<IssuedCertificate> Issue(const IssuanceRequest& request,
                                    const NameAllowlist& allowlist);

  // Remember puts |prior| in the idempotency index, so the same request id
  // with the same profile and CSR gets that certificate back (replayed) and
  // another CSR is ALREADY_EXISTS. The chain is the current issuer's of the
  // profile. NOT_FOUND if the profile is gone; FAILED_PRECONDITION if the
  // certificate does not parse or was not signed by that issuer (then a
  // retry is issued anew).
  Status Remember(const PriorIssuance& prior);

  // ProfileHash returns the hex hash of profile |name|; NOT_FOUND if absent.
  StatusOr<std::string> ProfileHash(std::string_view name) const;

 private:
  struct State;
  explicit IssuanceEngine(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace pki::signer

#endif  // PKI_SIGNER_ISSUANCE_H_
