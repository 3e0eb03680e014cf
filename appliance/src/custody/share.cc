#include "custody/share.h"

#include <cstring>

#include "base/crc32.h"
#include "crypto/kdf.h"

namespace pki::appliance::custody {
namespace {

constexpr uint8_t kMagic[4] = {'P', 'K', 'S', 'H'};
constexpr std::string_view kAadLabel = "pki-custody-share-v1";
constexpr size_t kMaxAad = kAadLabel.size() + kMaxWrappedShareSize + kMaxApplianceIdSize;

// BuildAad writes label || body || appliance id into |out|; returns the length.
size_t BuildAad(ByteSpan body, const ApplianceId& appliance, uint8_t* out) {
  const ByteSpan id = appliance.view();
  std::memcpy(out, kAadLabel.data(), kAadLabel.size());
  std::memcpy(out + kAadLabel.size(), body.data(), body.size());
  std::memcpy(out + kAadLabel.size() + body.size(), id.data(), id.size());
  return kAadLabel.size() + body.size() + id.size();
}

Status CheckPassphrase(std::string_view name, uint8_t index, ByteSpan passphrase) {
  if (passphrase.size() < kMinPassphraseSize || passphrase.size() > kMaxPassphraseSize) {
    return CustodianError(StatusCode::kInvalidArgument, name, index,
                          "passphrase must be 8..127 bytes");
  }
  return OkStatus();
}

static_assert(kMaxShareIterations == 4800000, "the error messages name the maximum");

Status CheckIterations(std::string_view name, uint8_t index, uint32_t iterations) {
  if (iterations < crypto::MinPbkdf2Iterations() || iterations == 0) {
    return CustodianError(StatusCode::kFailedPrecondition, name, index,
                          "KDF iteration count below this build's minimum");
  }
  if (iterations > kMaxShareIterations) {
    return CustodianError(StatusCode::kInvalidArgument, name, index,
                          "KDF iteration count above the maximum (4800000): forged or corrupt share");
  }
  return OkStatus();
}

Status DeriveKey(const ShareHeader& h, ByteSpan passphrase, crypto::AeadKey* key) {
  PKI_RETURN_IF_ERROR(key->Resize(kKekSize));
  Status st = crypto::Pbkdf2HmacSha256(passphrase, h.salt, h.iterations,
                                       key->Mutable(SecretAccess::Grant()));
  if (!st.ok()) {
    key->Clear();
    return CustodianError(st.code(), h.name.view(), h.index, st.message());
  }
  return OkStatus();
}

}  // namespace

std::array<uint8_t, kApplianceTagSize> ApplianceTag(const ApplianceId& id) {
  static constexpr std::string_view kLabel = "pki-appliance-id-v1";
  const ByteSpan parts[] = {AsBytes(kLabel), id.view()};
  const crypto::Sha256Digest d = crypto::Sha256Parts(parts);
  std::array<uint8_t, kApplianceTagSize> tag{};
  std::memcpy(tag.data(), d.data(), tag.size());
  return tag;
}

Status ParseWrappedShare(ByteSpan w, ParsedShare* out, uint8_t* out_index_hint) {
  *out = ParsedShare{};
  if (out_index_hint != nullptr) *out_index_hint = w.size() > 5 ? w[5] : 0;
  const size_t min_size = kShareFixedHeaderSize + 1 + kShareSealedSize + kShareChecksumSize;
  if (w.size() < min_size || w.size() > kMaxWrappedShareSize) {
    return InvalidArgumentError("share: wrong length (truncated or not a share)");
  }
  const size_t body = w.size() - kShareChecksumSize;
  if (Crc32(w.first(body)) != LoadBe32(w.data() + body)) {
    return InvalidArgumentError("share: checksum mismatch (transcription error?)");
  }
  if (std::memcmp(w.data(), kMagic, 4) != 0) return InvalidArgumentError("share: bad magic");
  ShareHeader& h = out->header;
  h.version = w[4];
  if (h.version != kShareFormatVersion) {
    return InvalidArgumentError("share: unsupported format version");
  }
  h.index = w[5];
  h.threshold = w[6];
  h.count = w[7];
  if (!CheckSplitParameters(h.threshold, h.count).ok() || h.index == 0 || h.index > h.count) {
    return InvalidArgumentError("share: index, M or N out of range");
  }
  std::memcpy(h.split_id.data(), w.data() + 8, kSplitIdSize);
  std::memcpy(h.appliance_tag.data(), w.data() + 24, kApplianceTagSize);
  h.iterations = LoadBe32(w.data() + 32);
  std::memcpy(h.salt.data(), w.data() + 36, kShareSaltSize);
  const size_t name_len = w[52];
  if (kShareFixedHeaderSize + name_len + kShareSealedSize + kShareChecksumSize != w.size()) {
    return InvalidArgumentError("share: length fields do not match the share's size");
  }
  if (!h.name.Set(AsChars(w.subspan(kShareFixedHeaderSize, name_len))).ok()) {
    return InvalidArgumentError("share: bad custodian name");
  }
  const size_t header_end = kShareFixedHeaderSize + name_len;
  out->aad_body = w.first(header_end);
  out->sealed = w.subspan(header_end, kShareSealedSize);
  return OkStatus();
}

StatusOr<size_t> WrapShare(crypto::Drbg& drbg, const ApplianceId& appliance, ShareHeader h,
                           const ShareValue& value, ByteSpan passphrase, MutableByteSpan out) {
  PKI_RETURN_IF_ERROR(CheckPassphrase(h.name.view(), h.index, passphrase));
  if (h.name.empty() || appliance.view().empty() ||
      !CheckSplitParameters(h.threshold, h.count).ok() || h.index == 0 ||
      h.index > h.count || value.size() != kKekSize) {
    return InvalidArgumentError("share: bad header or value to wrap");
  }
  PKI_RETURN_IF_ERROR(CheckIterations(h.name.view(), h.index, h.iterations));
  const std::string_view name = h.name.view();
  const size_t header_end = kShareFixedHeaderSize + name.size();
  const size_t total = header_end + kShareSealedSize + kShareChecksumSize;
  if (out.size() < total) return OutOfRangeError("share: output buffer too small");
  PKI_RETURN_IF_ERROR(drbg.Generate(h.salt));
  h.appliance_tag = ApplianceTag(appliance);

  uint8_t* p = out.data();
  std::memcpy(p, kMagic, 4);
  p[4] = kShareFormatVersion;
  p[5] = h.index;
  p[6] = h.threshold;
  p[7] = h.count;
  std::memcpy(p + 8, h.split_id.data(), kSplitIdSize);
  std::memcpy(p + 24, h.appliance_tag.data(), kApplianceTagSize);
  StoreBe32(p + 32, h.iterations);
  std::memcpy(p + 36, h.salt.data(), kShareSaltSize);
  p[52] = static_cast<uint8_t>(name.size());
  std::memcpy(p + kShareFixedHeaderSize, name.data(), name.size());

  crypto::AeadKey key;
  PKI_RETURN_IF_ERROR(DeriveKey(h, passphrase, &key));
  uint8_t aad[kMaxAad];
  const size_t aad_len = BuildAad(ByteSpan(p, header_end), appliance, aad);
  StatusOr<size_t> sealed =
      crypto::AeadSeal(key, drbg, ByteSpan(aad, aad_len), value.View(SecretAccess::Grant()),
                       out.subspan(header_end, kShareSealedSize));
  if (!sealed.ok() || *sealed != kShareSealedSize) {
    SecureZero(out.data(), out.size());
    return sealed.ok() ? InternalError("share: unexpected sealed size") : sealed.status();
  }
  const size_t body = header_end + kShareSealedSize;
  StoreBe32(p + body, Crc32(ByteSpan(p, body)));
  return total;
}

Status UnwrapShare(const ParsedShare& share, const ApplianceId& appliance, ByteSpan passphrase,
                   ShareValue* out_value) {
  out_value->Clear();
  const ShareHeader& h = share.header;
  PKI_RETURN_IF_ERROR(CheckPassphrase(h.name.view(), h.index, passphrase));
  PKI_RETURN_IF_ERROR(CheckIterations(h.name.view(), h.index, h.iterations));
  crypto::AeadKey key;
  PKI_RETURN_IF_ERROR(DeriveKey(h, passphrase, &key));
  uint8_t aad[kMaxAad];
  const size_t aad_len = BuildAad(share.aad_body, appliance, aad);
  PKI_RETURN_IF_ERROR(out_value->Resize(kKekSize));
  StatusOr<size_t> opened = crypto::AeadOpen(key, ByteSpan(aad, aad_len), share.sealed,
                                             out_value->Mutable(SecretAccess::Grant()));
  if (!opened.ok() || *opened != kKekSize) {
    out_value->Clear();
    if (!opened.ok() && opened.status().code() != StatusCode::kPermissionDenied) {
      return CustodianError(opened.status().code(), h.name.view(), h.index,
                            opened.status().message());
    }
    return CustodianError(StatusCode::kPermissionDenied, h.name.view(), h.index,
                          "did not decrypt: wrong passphrase or altered share");
  }
  return OkStatus();
}

}  // namespace pki::appliance::custody
