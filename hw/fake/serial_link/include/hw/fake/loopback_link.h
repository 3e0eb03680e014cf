// loopback_link.h — an in-memory SerialLink pair for tests, with faults.
//
// LoopbackLink::CreatePair() returns two connected ends: what one end writes,
// the other reads. Each WriteAll is treated as one frame for fault injection
// (the framer writes a whole frame per call): the next writes of an end can
// be dropped, duplicated, corrupted or truncated. Reads can be split into
// small chunks to exercise decoders. Nothing blocks: a Read with nothing
// queued returns 0 at once and, if a FakeClock is attached, advances it by the
// timeout, so time-outs happen in simulated time.
#ifndef PKI_HW_FAKE_LOOPBACK_LINK_H_
#define PKI_HW_FAKE_LOOPBACK_LINK_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <utility>

#include "hw/fake/fake_clock.h"
#include "hw/serial_link.h"

namespace pki::hw::fake {

enum class LinkFault {
  kNone,
  kDrop,       // the write vanishes
  kDuplicate,  // the write arrives twice
  kCorrupt,    // one byte (at |arg| modulo the length) is flipped
  kTruncate,   // only the first |arg| bytes arrive
};

class LoopbackLink final : public SerialLink {
 public:
  // CreatePair returns two connected ends the caller owns. Both borrow
  // |clock| (may be null) for as long as they live.
  static std::pair<std::unique_ptr<LoopbackLink>, std::unique_ptr<LoopbackLink>> CreatePair(
      FakeClock* clock = nullptr);

  // Read copies at most min(|out|.size(), the chunk limit) queued bytes.
  // UNAVAILABLE once after Disconnect() of either end.
  [[nodiscard]] StatusOr<size_t> Read(MutableByteSpan out, uint32_t timeout_ms) override;
  // WriteAll queues |data| for the peer, applying the next injected fault.
  [[nodiscard]] Status WriteAll(ByteSpan data) override;

  // InjectFault applies |fault| to this end's next write (queued in order).
  void InjectFault(LinkFault fault, size_t arg = 0) { faults_.emplace_back(fault, arg); }
  // SetReadChunk limits every Read of this end to |n| bytes (0: no limit).
  void SetReadChunk(size_t n) { read_chunk_ = n; }
  // Disconnect makes the peer's next Read report UNAVAILABLE and drops what
  // it had not read yet, as when a cable is pulled.
  void Disconnect();
  // Pending is how many bytes this end has queued to read.
  size_t Pending() const { return inbox_->size(); }

 private:
  struct Shared {
    std::deque<uint8_t> a_to_b, b_to_a;
    bool a_disconnect_pending = false, b_disconnect_pending = false;
  };
  LoopbackLink(std::shared_ptr<Shared> shared, bool is_a, FakeClock* clock);

  std::shared_ptr<Shared> shared_;
  std::deque<uint8_t>* inbox_;
  std::deque<uint8_t>* outbox_;
  bool* my_disconnect_;
  bool* peer_disconnect_;
  FakeClock* clock_;
  std::deque<std::pair<LinkFault, size_t>> faults_;
  size_t read_chunk_ = 0;
};

}  // namespace pki::hw::fake

#endif  // PKI_HW_FAKE_LOOPBACK_LINK_H_
