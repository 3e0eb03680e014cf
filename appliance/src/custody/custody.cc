#include "custody/custody.h"

#include "crypto/kdf.h"
#include "custody/commitment.h"
#include "custody/split_record.h"

namespace pki::appliance::custody {

Status Custody::Create(hw::Storage& storage, crypto::Drbg& drbg, ByteSpan appliance_id,
                       const CustodyConfig& config, std::optional<Custody>& out) {
  out.reset();
  ApplianceId id;
  PKI_RETURN_IF_ERROR(id.Set(appliance_id));
  if (config.quorum_timeout_ms == 0) {
    return InvalidArgumentError("custody: quorum timeout must be positive");
  }
  if (config.share_iterations == 0 ||
      config.share_iterations < crypto::MinPbkdf2Iterations()) {
    return FailedPreconditionError("custody: share KDF iterations below this build's minimum");
  }
  if (config.share_iterations > kMaxShareIterations) {
    return InvalidArgumentError("custody: share KDF iterations above the maximum (4800000)");
  }
  if (storage.MaxRecordSize() < kMaxSplitRecordSize) {
    return InvalidArgumentError("custody: storage records too small for a split record");
  }
  uint8_t buf[kMaxSplitRecordSize];
  StatusOr<size_t> got = storage.Read(kSplitRecordKey, buf);
  SplitInfo active;
  bool has_active = false;
  if (got.ok()) {
    PKI_RETURN_IF_ERROR(DecodeSplitRecord(ByteSpan(buf, *got), &active));
    has_active = true;
  } else if (got.status().code() != StatusCode::kNotFound) {
    if (got.status().code() == StatusCode::kOutOfRange) {
      return DataLossError("custody: stored split record is too large");
    }
    return got.status();
  }
  out.emplace(Token());
  Custody& c = *out;
  c.storage_ = &storage;
  c.drbg_ = &drbg;
  c.appliance_ = id;
  c.config_ = config;
  c.has_active_ = has_active;
  c.active_ = active;
  return OkStatus();
}

Status Custody::Stage(const Kek& kek, uint8_t threshold,
                      std::span<const std::string_view> names) {
  if (staged_.has_value()) {
    return FailedPreconditionError("custody: a split is already staged; commit or abort it");
  }
  PKI_RETURN_IF_ERROR(CheckSplitParameters(threshold, names.size()));
  SplitInfo info;
  info.threshold = threshold;
  info.count = static_cast<uint8_t>(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    Status st = info.names[i].Set(names[i]);
    if (!st.ok()) return Status(st.code(), st.message()).Append(" (custodian ").AppendNumber(i + 1).Append(")");
    for (size_t j = 0; j < i; ++j) {
      if (info.names[j] == info.names[i]) {
        return Status(StatusCode::kInvalidArgument, "custody: custodian name repeated: ")
            .Append(names[i]);
      }
    }
  }
  PKI_RETURN_IF_ERROR(drbg_->Generate(info.split_id));
  Staged& s = staged_.emplace();
  PKI_RETURN_IF_ERROR(s.kek.Assign(kek.View(SecretAccess::Grant())));
  uint8_t random[CoefficientBytes(kMaxShares)];
  ScopedWipe wipe_random(random);
  const size_t need = CoefficientBytes(threshold);
  Status st = drbg_->Generate(MutableByteSpan(random, need));
  if (st.ok()) {
    st = ShamirSplit(std::span(s.shares.data(), info.count), s.kek, threshold,
                     ByteSpan(random, need));
  }
  if (!st.ok()) {
    staged_.reset();
    return st;
  }
  for (size_t i = 0; i < info.count; ++i) {
    info.commitments[i] =
        ShareCommitment(appliance_, info.split_id, info.threshold, info.count, s.shares[i]);
  }
  info.kek_check = KekCheck(info.split_id, s.kek);
  s.info = info;
  return OkStatus();
}

Status Custody::BeginInitialSplit(uint8_t threshold, std::span<const std::string_view> names) {
  if (has_active_) {
    return FailedPreconditionError("custody: already provisioned; change custodians by re-split");
  }
  Kek kek;
  PKI_RETURN_IF_ERROR(kek.Resize(kKekSize));
  PKI_RETURN_IF_ERROR(drbg_->Generate(kek.Mutable(SecretAccess::Grant())));
  return Stage(kek, threshold, names);
}

Status Custody::BeginResplit(ByteSpan nonce, uint64_t now_ms, uint8_t threshold,
                             std::span<const std::string_view> names) {
  if (!has_active_) return FailedPreconditionError("custody: nothing to re-split");
  if (staged_.has_value()) {
    return FailedPreconditionError("custody: a split is already staged; commit or abort it");
  }
  PKI_ASSIGN_OR_RETURN(const Kek* kek, quorum_.GetKek(nonce, now_ms));
  return Stage(*kek, threshold, names);
}

StatusOr<const Kek*> Custody::StagedKek() const {
  if (!staged_.has_value()) return FailedPreconditionError("custody: nothing staged");
  return &staged_->kek;
}

StatusOr<size_t> Custody::WrapStagedShare(uint8_t index, ByteSpan passphrase,
                                          MutableByteSpan out) {
  if (!staged_.has_value()) return FailedPreconditionError("custody: nothing staged");
  Staged& s = *staged_;
  if (index == 0 || index > s.info.count) {
    return InvalidArgumentError("custody: share index out of range");
  }
  ShareHeader h;
  h.index = index;
  h.threshold = s.info.threshold;
  h.count = s.info.count;
  h.split_id = s.info.split_id;
  h.name = s.info.names[index - 1u];
  h.iterations = config_.share_iterations;
  PKI_ASSIGN_OR_RETURN(size_t n, WrapShare(*drbg_, appliance_, h, s.shares[index - 1u].value,
                                           passphrase, out));
  const uint16_t bit = static_cast<uint16_t>(1u << (index - 1u));
  s.wrapped = static_cast<uint16_t>(s.wrapped | bit);
  s.confirmed = static_cast<uint16_t>(s.confirmed & ~bit);
  return n;
}

StatusOr<uint8_t> Custody::ConfirmStagedShare(ByteSpan wrapped, ByteSpan passphrase,
                                              std::string_view claimed_name) {
  if (!staged_.has_value()) return FailedPreconditionError("custody: nothing staged");
  Staged& s = *staged_;
  ShamirShare share;
  PKI_RETURN_IF_ERROR(VerifyShare(s.info, appliance_, wrapped, passphrase, claimed_name, &share));
  const uint16_t bit = static_cast<uint16_t>(1u << (share.index - 1u));
  if ((s.wrapped & bit) == 0) {
    return CustodianError(StatusCode::kFailedPrecondition, s.info.names[share.index - 1u].view(),
                          share.index, "share was not issued yet");
  }
  s.confirmed = static_cast<uint16_t>(s.confirmed | bit);
  return share.index;
}

Status Custody::CommitStaged() {
  if (!staged_.has_value()) return FailedPreconditionError("custody: nothing staged");
  Staged& s = *staged_;
  for (uint8_t i = 1; i <= s.info.count; ++i) {
    const uint16_t bit = static_cast<uint16_t>(1u << (i - 1u));
    if ((s.wrapped & bit) == 0 || (s.confirmed & bit) == 0) {
      return CustodianError(StatusCode::kFailedPrecondition, s.info.names[i - 1u].view(), i,
                            (s.wrapped & bit) == 0 ? "share not issued yet"
                                                   : "share not confirmed yet");
    }
  }
  uint8_t buf[kMaxSplitRecordSize];
  PKI_ASSIGN_OR_RETURN(size_t n, EncodeSplitRecord(s.info, buf));
  PKI_RETURN_IF_ERROR(storage_->Write(kSplitRecordKey, ByteSpan(buf, n)));
  // A session borrows active_: end it before the split changes.
  quorum_.End();
  active_ = s.info;
  has_active_ = true;
  staged_.reset();
  return OkStatus();
}

void Custody::AbortStaged() { staged_.reset(); }

Status Custody::BeginQuorum(uint64_t now_ms, OperationNonce* out_nonce) {
  if (!has_active_) return FailedPreconditionError("custody: not provisioned");
  return quorum_.Begin(active_, appliance_, *drbg_, now_ms, config_.quorum_timeout_ms,
                       out_nonce);
}

}  // namespace pki::appliance::custody
