#include "custody/commitment.h"

#include "crypto/digest.h"
#include "custody/share.h"

namespace pki::appliance::custody {

Commitment ShareCommitment(const ApplianceId& appliance, const SplitId& split_id,
                           uint8_t threshold, uint8_t count, const ShamirShare& share) {
  static constexpr std::string_view kLabel = "pki-custody-commit-v1";
  const ByteSpan id = appliance.view();
  const uint8_t id_len = static_cast<uint8_t>(id.size());
  const uint8_t params[3] = {share.index, threshold, count};
  const ByteSpan parts[] = {AsBytes(kLabel), ByteSpan(&id_len, 1), id, split_id, params,
                            share.value.View(SecretAccess::Grant())};
  return crypto::Sha256Parts(parts);
}

Commitment KekCheck(const SplitId& split_id, const Kek& kek) {
  static constexpr std::string_view kLabel = "pki-custody-kek-v1";
  const ByteSpan parts[] = {AsBytes(kLabel), split_id, kek.View(SecretAccess::Grant())};
  return crypto::Sha256Parts(parts);
}

Status VerifyShare(const SplitInfo& split, const ApplianceId& appliance, ByteSpan wrapped,
                   ByteSpan passphrase, std::string_view claimed_name, ShamirShare* out) {
  out->index = 0;
  out->value.Clear();
  ParsedShare parsed;
  uint8_t hint = 0;
  Status st = ParseWrappedShare(wrapped, &parsed, &hint);
  if (!st.ok()) {
    // Name whom we can: the host's claim, else the split's custodian for the
    // index byte as written (it may itself be mistyped).
    std::string_view who = claimed_name;
    if (who.empty() && hint >= 1 && hint <= split.count) who = split.names[hint - 1u].view();
    return CustodianError(st.code(), who, hint, st.message());
  }
  const ShareHeader& h = parsed.header;
  const std::string_view name = h.name.view();
  if (!claimed_name.empty() && claimed_name != name) {
    return CustodianError(StatusCode::kPermissionDenied, claimed_name, h.index,
                          "share carries another custodian's name");
  }
  const auto tag = ApplianceTag(appliance);
  if (!ConstantTimeEqual(tag, h.appliance_tag)) {
    return CustodianError(StatusCode::kPermissionDenied, name, h.index,
                          "share belongs to another appliance");
  }
  if (!ConstantTimeEqual(split.split_id, h.split_id)) {
    return CustodianError(StatusCode::kPermissionDenied, name, h.index,
                          "share is from another split (retired or foreign)");
  }
  if (h.threshold != split.threshold || h.count != split.count || h.index > split.count) {
    return CustodianError(StatusCode::kPermissionDenied, name, h.index,
                          "share's M/N do not match this split");
  }
  if (!(split.names[h.index - 1u] == h.name)) {
    return CustodianError(StatusCode::kPermissionDenied, name, h.index,
                          "name does not match this split's custodian for the index");
  }
  PKI_RETURN_IF_ERROR(UnwrapShare(parsed, appliance, passphrase, &out->value));
  out->index = h.index;
  const Commitment c = ShareCommitment(appliance, split.split_id, split.threshold, split.count, *out);
  if (!ConstantTimeEqual(c, split.commitments[h.index - 1u])) {
    out->index = 0;
    out->value.Clear();
    return CustodianError(StatusCode::kPermissionDenied, name, h.index,
                          "value does not match the split's commitment (forged)");
  }
  return OkStatus();
}

}  // namespace pki::appliance::custody
