// fake_storage.h — an in-memory hw::Storage that injects faults, for tests.
//
// The records are the same two-slot, CRC-checked images the host port
// writes (hw/host/two_slot_storage.h), kept in memory. Faults:
//   - a power cut at the Nth slot write or erase from now: that operation is
//     dropped, or torn (only its first |torn_bytes| bytes reach the slot, the
//     rest of the slot keeps its old bytes), and every later operation fails
//     with UNAVAILABLE until PowerOn(), which models a reboot;
//   - read errors: the next N slot reads fail with UNAVAILABLE;
//   - a full medium: a write that would take the stored bytes past
//     |capacity_bytes| fails with RESOURCE_EXHAUSTED and changes nothing.
// Test-only: refuses to be created in a production build.
#ifndef PKI_HW_FAKE_FAKE_STORAGE_H_
#define PKI_HW_FAKE_FAKE_STORAGE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "base/status_or.h"
#include "hw/host/two_slot_storage.h"
#include "hw/storage.h"

namespace pki::hw {

// The simulated medium behind FakeStorage; owned by it. Tests reach it
// through FakeStorage::medium() to inject faults.
class FakeMedium final : public SlotMedium {
 public:
  explicit FakeMedium(size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}

  [[nodiscard]] StatusOr<size_t> ReadSlot(uint32_t key, uint8_t slot,
                                          MutableByteSpan out) override;
  [[nodiscard]] Status WriteSlot(uint32_t key, uint8_t slot, ByteSpan image) override;
  [[nodiscard]] Status EraseSlot(uint32_t key, uint8_t slot) override;

  // CutPowerAt arms a power cut at the |n|th (1 = the next) slot write or
  // erase. |torn_bytes| == 0 drops that operation; otherwise its first
  // |torn_bytes| bytes are written (an erase is always dropped).
  void CutPowerAt(uint64_t n, size_t torn_bytes = 0);
  // PowerOn clears a cut (the medium keeps what reached it) and disarms any
  // pending cut.
  void PowerOn();
  bool powered() const { return powered_; }
  // FailReads makes the next |n| slot reads fail with UNAVAILABLE.
  void FailReads(uint32_t n) { failing_reads_ = n; }
  // SetCapacity changes the byte budget (slot images count their full size).
  void SetCapacity(size_t bytes) { capacity_bytes_ = bytes; }
  // Mutations counts slot writes and erases attempted while powered.
  uint64_t mutations() const { return mutations_; }
  // FlipBit flips bit |bit| of byte |offset| of a stored slot; false if the
  // slot or offset does not exist. For corruption tests.
  bool FlipBit(uint32_t key, uint8_t slot, size_t offset, uint8_t bit);
  size_t used_bytes() const { return used_bytes_; }

 private:
  // Returns true if the current mutation must be cut (and cuts the power).
  bool CountMutationAndMaybeCut();

  std::map<std::pair<uint32_t, uint8_t>, std::vector<uint8_t>> slots_;
  size_t capacity_bytes_;
  size_t used_bytes_ = 0;
  bool powered_ = true;
  uint64_t mutations_ = 0;
  uint64_t cut_at_ = 0;  // absolute mutation number to cut at; 0 = none
  size_t torn_bytes_ = 0;
  uint32_t failing_reads_ = 0;
};

struct FakeStorageOptions {
  size_t max_record_size = 4096;
  size_t capacity_bytes = size_t{1} << 20;
};

class FakeStorage final : public Storage {
 public:
  // Create returns a new, empty fake the caller owns. FAILED_PRECONDITION in
  // a production build; INVALID_ARGUMENT for a bad |options| value.
  static StatusOr<std::unique_ptr<FakeStorage>> Create(FakeStorageOptions options = {});

  size_t MaxRecordSize() const override { return storage_->MaxRecordSize(); }
  [[nodiscard]] StatusOr<size_t> Read(uint32_t key, MutableByteSpan out) override {
    return storage_->Read(key, out);
  }
  [[nodiscard]] Status Write(uint32_t key, ByteSpan data) override {
    return storage_->Write(key, data);
  }
  [[nodiscard]] Status Erase(uint32_t key) override { return storage_->Erase(key); }

  // Sequence: see TwoSlotStorage::Sequence.
  [[nodiscard]] StatusOr<uint64_t> Sequence(uint32_t key) { return storage_->Sequence(key); }
  // medium borrows the simulated medium for fault injection; valid while
  // this fake lives.
  FakeMedium& medium() { return *medium_; }

 private:
  FakeStorage(std::unique_ptr<TwoSlotStorage> storage, FakeMedium* medium)
      : storage_(std::move(storage)), medium_(medium) {}

  std::unique_ptr<TwoSlotStorage> storage_;
  FakeMedium* medium_;  // owned by storage_
};

}  // namespace pki::hw

#endif  // PKI_HW_FAKE_FAKE_STORAGE_H_
