#include "hw/fake/loopback_link.h"

namespace pki::hw::fake {

std::pair<std::unique_ptr<LoopbackLink>, std::unique_ptr<LoopbackLink>> LoopbackLink::CreatePair(
    FakeClock* clock) {
  auto shared = std::make_shared<Shared>();
  return {std::unique_ptr<LoopbackLink>(new LoopbackLink(shared, true, clock)),
          std::unique_ptr<LoopbackLink>(new LoopbackLink(shared, false, clock))};
}

LoopbackLink::LoopbackLink(std::shared_ptr<Shared> shared, bool is_a, FakeClock* clock)
    : shared_(std::move(shared)),
      inbox_(is_a ? &shared_->b_to_a : &shared_->a_to_b),
      outbox_(is_a ? &shared_->a_to_b : &shared_->b_to_a),
      my_disconnect_(is_a ? &shared_->a_disconnect_pending : &shared_->b_disconnect_pending),
      peer_disconnect_(is_a ? &shared_->b_disconnect_pending : &shared_->a_disconnect_pending),
      clock_(clock) {}

StatusOr<size_t> LoopbackLink::Read(MutableByteSpan out, uint32_t timeout_ms) {
  if (*my_disconnect_) {
    *my_disconnect_ = false;
    return UnavailableError("loopback peer disconnected");
  }
  if (inbox_->empty()) {
    if (clock_ != nullptr) clock_->AdvanceMillis(timeout_ms);
    return static_cast<size_t>(0);
  }
  size_t n = out.size();
  if (read_chunk_ != 0 && n > read_chunk_) n = read_chunk_;
  if (n > inbox_->size()) n = inbox_->size();
  for (size_t i = 0; i < n; ++i) {
    out[i] = inbox_->front();
    inbox_->pop_front();
  }
  return n;
}

Status LoopbackLink::WriteAll(ByteSpan data) {
  LinkFault fault = LinkFault::kNone;
  size_t arg = 0;
  if (!faults_.empty()) {
    fault = faults_.front().first;
    arg = faults_.front().second;
    faults_.pop_front();
  }
  switch (fault) {
    case LinkFault::kNone:
      outbox_->insert(outbox_->end(), data.begin(), data.end());
      break;
    case LinkFault::kDrop:
      break;
    case LinkFault::kDuplicate:
      outbox_->insert(outbox_->end(), data.begin(), data.end());
      outbox_->insert(outbox_->end(), data.begin(), data.end());
      break;
    case LinkFault::kCorrupt: {
      size_t at = outbox_->size();
      outbox_->insert(outbox_->end(), data.begin(), data.end());
      if (!data.empty()) (*outbox_)[at + arg % data.size()] ^= 0x5A;
      break;
    }
    case LinkFault::kTruncate: {
      size_t keep = arg < data.size() ? arg : data.size();
      outbox_->insert(outbox_->end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(keep));
      break;
    }
  }
  return OkStatus();
}

void LoopbackLink::Disconnect() {
  *peer_disconnect_ = true;
  shared_->a_to_b.clear();
  shared_->b_to_a.clear();
}

}  // namespace pki::hw::fake
