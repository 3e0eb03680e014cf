// board_checks.cc — the board's HAL ports on the target: SysTick clock,
// test-only entropy and two-slot storage over semihosted host files.
#include <cstring>
#include <memory>

#include "firmware/selftest/checks.h"
#include "hw/boards/board_runtime.h"
#include "hw/boards/semihost_storage.h"
#include "hw/boards/systick_clock.h"
#include "hw/boards/test_entropy.h"

namespace pki::firmware::selftest {
namespace {

char storage_folder[hw::board::SemihostSlotMedium::kMaxFolder + 1] = {};
size_t storage_folder_size = 0;

constexpr uint32_t kKey = 0x7F000001u;  // selftest-only key, outside every owner's range

// Reads |key| from |storage| and compares it with |expected|.
bool ReadsBack(hw::Storage& storage, uint32_t key, std::string_view expected) {
  uint8_t buffer[64];
  StatusOr<size_t> n = storage.Read(key, buffer);
  return n.ok() && AsChars(ByteSpan(buffer, *n)) == expected;
}

// A frame -fstack-protector-strong guards (a local array); returns a value
// that depends on it so the array is not optimized away.
__attribute__((noinline)) uint32_t ProtectedFrame(uint32_t seed) {
  volatile uint8_t local[24];
  for (size_t i = 0; i < sizeof(local); ++i) local[i] = static_cast<uint8_t>(seed + i);
  uint32_t sum = 0;
  for (size_t i = 0; i < sizeof(local); ++i) sum += local[i];
  return sum;
}

}  // namespace

extern "C" uintptr_t __stack_chk_guard;

// Not protected: its frame lives across the canary change (and restores the
// link-time value, which the frames below it were entered with).
__attribute__((no_stack_protector)) void CheckStackCanary(Checker& check) {
  const uintptr_t original = __stack_chk_guard;
  StatusOr<std::unique_ptr<hw::board::TestOnlyEntropy>> a = hw::board::TestOnlyEntropy::Create(11);
  FW_EXPECT(check, a.ok());
  if (!a.ok()) return;
  FW_EXPECT(check, hw::board::SeedStackCanary(**a).ok());
  const uintptr_t first = __stack_chk_guard;
  FW_EXPECT(check, first != original);
  FW_EXPECT(check, (first & 0xFFu) == 0);  // the terminator byte
  FW_EXPECT(check, (first >> 8) != 0);
  // Guarded frames run normally under the new value (a mismatch would panic).
  FW_EXPECT(check, ProtectedFrame(3) == 24u * 3u + 276u);
  FW_EXPECT(check, hw::board::SeedStackCanary(**a).ok());
  FW_EXPECT(check, __stack_chk_guard != first);  // the next bytes of the stream
  __stack_chk_guard = original;
}

void SetStorageFolder(std::string_view folder) {
  storage_folder_size = folder.size() < sizeof(storage_folder) ? folder.size() : 0;
  std::memcpy(storage_folder, folder.data(), storage_folder_size);
}

void CheckClock(Checker& check) {
  // A second SysTickClock is refused while main's exists.
  FW_EXPECT(check, hw::board::SysTickClock::Create().status().code() == StatusCode::kFailedPrecondition);
}

void CheckEntropy(Checker& check) {
  StatusOr<std::unique_ptr<hw::board::TestOnlyEntropy>> a = hw::board::TestOnlyEntropy::Create(7);
  StatusOr<std::unique_ptr<hw::board::TestOnlyEntropy>> b = hw::board::TestOnlyEntropy::Create(7);
  StatusOr<std::unique_ptr<hw::board::TestOnlyEntropy>> c = hw::board::TestOnlyEntropy::Create(8);
  if (!FW_EXPECT(check, a.ok() && b.ok() && c.ok())) return;
  FW_EXPECT(check, (*a)->IsTestOnly());
  uint8_t x[48] = {};
  uint8_t y[48] = {};
  uint8_t z[48] = {};
  FW_EXPECT_OK(check, (*a)->Fill(x));
  FW_EXPECT_OK(check, (*b)->Fill(y));
  FW_EXPECT_OK(check, (*c)->Fill(z));
  FW_EXPECT(check, std::memcmp(x, y, sizeof(x)) == 0);  // same seed, same stream
  FW_EXPECT(check, std::memcmp(x, z, sizeof(x)) != 0);  // another seed, another stream
  FW_EXPECT_OK(check, (*a)->Fill(y));
  FW_EXPECT(check, std::memcmp(x, y, sizeof(x)) != 0);  // the stream moves on
}

void CheckStorage(Checker& check) {
  const std::string_view folder(storage_folder, storage_folder_size);
  if (!FW_EXPECT(check, !folder.empty())) return;  // the runner passes storage=<dir>
  FW_EXPECT(check, hw::board::CreateSemihostStorage("", 64).status().code() ==
                       StatusCode::kInvalidArgument);
  StatusOr<std::unique_ptr<hw::TwoSlotStorage>> made = hw::board::CreateSemihostStorage(folder, 32);
  if (!FW_EXPECT_OK(check, made.status())) return;
  hw::TwoSlotStorage& storage = **made;
  uint8_t buffer[64];
  FW_EXPECT(check, storage.Read(kKey, buffer).status().code() == StatusCode::kNotFound);
  FW_EXPECT_OK(check, storage.Write(kKey, AsBytes("first value")));
  FW_EXPECT(check, ReadsBack(storage, kKey, "first value"));
  FW_EXPECT_OK(check, storage.Write(kKey, AsBytes("second value")));
  FW_EXPECT(check, ReadsBack(storage, kKey, "second value"));
  StatusOr<uint64_t> seq = storage.Sequence(kKey);
  FW_EXPECT(check, seq.ok() && *seq == 2);

  // A power cut in the middle of the next write: the slot it targets (the
  // older one, slot 0) holds a torn prefix. The newest copy must survive.
  StatusOr<std::unique_ptr<hw::board::SemihostSlotMedium>> raw = hw::board::SemihostSlotMedium::Create(folder);
  if (!FW_EXPECT_OK(check, raw.status())) return;
  uint8_t slot0[64];
  StatusOr<size_t> slot0_size = (*raw)->ReadSlot(kKey, 0, slot0);
  if (!FW_EXPECT(check, slot0_size.ok() && *slot0_size > 24)) return;
  FW_EXPECT_OK(check, (*raw)->WriteSlot(kKey, 0, ByteSpan(slot0, *slot0_size - 3)));
  FW_EXPECT(check, ReadsBack(storage, kKey, "second value"));

  // "Reboot": a fresh storage over the same host files sees the same value.
  StatusOr<std::unique_ptr<hw::TwoSlotStorage>> rebooted = hw::board::CreateSemihostStorage(folder, 32);
  if (!FW_EXPECT_OK(check, rebooted.status())) return;
  FW_EXPECT(check, ReadsBack(**rebooted, kKey, "second value"));
  FW_EXPECT_OK(check, (*rebooted)->Write(kKey, AsBytes("third value")));
  FW_EXPECT(check, ReadsBack(storage, kKey, "third value"));
  seq = storage.Sequence(kKey);
  FW_EXPECT(check, seq.ok() && *seq == 3);

  // Bad input changes nothing.
  const uint8_t too_big[33] = {};
  FW_EXPECT(check, storage.Write(kKey, too_big).code() == StatusCode::kInvalidArgument);
  FW_EXPECT(check, ReadsBack(storage, kKey, "third value"));
  uint8_t tiny[4];
  FW_EXPECT(check, storage.Read(kKey, tiny).status().code() == StatusCode::kOutOfRange);

  // Both slots torn: no intact copy is DATA_LOSS, not a guess.
  constexpr uint32_t kScratch = 0x7F000002u;
  FW_EXPECT_OK(check, storage.Write(kScratch, AsBytes("to be torn")));
  FW_EXPECT_OK(check, (*raw)->WriteSlot(kScratch, 0, AsBytes("PKS1garbage")));
  FW_EXPECT(check, storage.Read(kScratch, buffer).status().code() == StatusCode::kDataLoss);
  FW_EXPECT_OK(check, storage.Erase(kScratch));
  FW_EXPECT(check, storage.Read(kScratch, buffer).status().code() == StatusCode::kNotFound);
  // kKey stays on the host for the runner to inspect ("third value", seq 3).
}

}  // namespace pki::firmware::selftest
