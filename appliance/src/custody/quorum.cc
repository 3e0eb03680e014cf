#include "custody/quorum.h"

#include "custody/commitment.h"

namespace pki::appliance::custody {

void QuorumAssembler::End() {
  for (ShamirShare& s : shares_) {
    s.index = 0;
    s.value.Clear();
  }
  kek_.Clear();
  state_ = State::kIdle;
  complete_magic_ = 0;
  nonce_.fill(0);
  deadline_ms_ = 0;
  mask_ = 0;
  accepted_ = 0;
  split_ = nullptr;
}

Status QuorumAssembler::Begin(const SplitInfo& split, const ApplianceId& appliance,
                              crypto::Drbg& drbg, uint64_t now_ms, uint64_t timeout_ms,
                              OperationNonce* out_nonce) {
  End();
  PKI_RETURN_IF_ERROR(CheckSplitParameters(split.threshold, split.count));
  if (timeout_ms == 0) return InvalidArgumentError("quorum: timeout must be positive");
  if (appliance.view().empty()) return InvalidArgumentError("quorum: no appliance id");
  Status st = drbg.Generate(nonce_);
  if (!st.ok()) {
    End();
    return st;
  }
  split_ = &split;
  appliance_ = appliance;
  deadline_ms_ = now_ms + timeout_ms;
  state_ = State::kCollecting;
  *out_nonce = nonce_;
  return OkStatus();
}

bool QuorumAssembler::ExpireIfDue(uint64_t now_ms) {
  if (state_ != State::kIdle && now_ms >= deadline_ms_) {
    End();
    return true;
  }
  return false;
}

Status QuorumAssembler::CheckSession(ByteSpan nonce, uint64_t now_ms) {
  if (state_ == State::kIdle) return FailedPreconditionError("quorum: no session open");
  if (ExpireIfDue(now_ms)) {
    return DeadlineExceededError("quorum: session expired; shares wiped, begin again");
  }
  if (!ConstantTimeEqual(nonce, nonce_)) {
    return InvalidArgumentError("quorum: nonce is not this session's");
  }
  return OkStatus();
}

StatusOr<SubmitResult> QuorumAssembler::Submit(ByteSpan nonce, ByteSpan wrapped,
                                               ByteSpan passphrase,
                                               std::string_view claimed_name, uint64_t now_ms) {
  PKI_RETURN_IF_ERROR(CheckSession(nonce, now_ms));
  if (state_ == State::kComplete) {
    return FailedPreconditionError("quorum: already complete; no more shares needed");
  }
  // Refuse a repeated index before the slow KDF. The index byte is only a
  // hint here; VerifyShare authenticates it.
  const uint8_t hint = wrapped.size() > 5 ? wrapped[5] : 0;
  if (hint >= 1 && hint <= split_->count && (mask_ & (1u << (hint - 1u))) != 0) {
    return CustodianError(StatusCode::kAlreadyExists, split_->names[hint - 1u].view(), hint,
                          "share already presented");
  }
  ShamirShare& slot = shares_[accepted_];
  PKI_RETURN_IF_ERROR(VerifyShare(*split_, appliance_, wrapped, passphrase, claimed_name, &slot));
  if ((mask_ & (1u << (slot.index - 1u))) != 0) {  // authenticated index repeated
    const uint8_t index = slot.index;
    slot.index = 0;
    slot.value.Clear();
    return CustodianError(StatusCode::kAlreadyExists, split_->names[index - 1u].view(), index,
                          "share already presented");
  }
  mask_ = static_cast<uint16_t>(mask_ | (1u << (slot.index - 1u)));
  ++accepted_;
  SubmitResult result;
  result.index = slot.index;
  result.accepted = accepted_;
  result.threshold = split_->threshold;
  if (accepted_ < split_->threshold) return result;

  const ShamirShare* use[kMaxShares] = {};
  for (size_t i = 0; i < accepted_; ++i) use[i] = &shares_[i];
  Status st = ShamirCombine(&kek_, std::span<const ShamirShare* const>(use, accepted_));
  // The shares are no longer needed once combined (or failed).
  for (ShamirShare& s : shares_) {
    s.index = 0;
    s.value.Clear();
  }
  if (!st.ok()) {
    End();
    return st;
  }
  const Commitment check = KekCheck(split_->split_id, kek_);
  if (!ConstantTimeEqual(check, split_->kek_check)) {
    End();
    return DataLossError("quorum: verified shares did not rebuild the committed KEK");
  }
  state_ = State::kComplete;
  complete_magic_ = kCompleteMagic;
  result.complete = true;
  return result;
}

StatusOr<const Kek*> QuorumAssembler::GetKek(ByteSpan nonce, uint64_t now_ms) {
  PKI_RETURN_IF_ERROR(CheckSession(nonce, now_ms));
  if (state_ != State::kComplete) {
    return PermissionDeniedError("quorum: not reached yet");
  }
  // Second, independent check of the same decision (fault injection).
  if (complete_magic_ != kCompleteMagic || kek_.size() != kKekSize) {
    End();
    return InternalError("quorum: inconsistent state; wiped");
  }
  return &kek_;
}

}  // namespace pki::appliance::custody
