#include "hw/fake/fake_storage.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace pki::hw {
namespace {

constexpr uint32_t kKey = 0x01020304u;

std::unique_ptr<FakeStorage> NewFake(FakeStorageOptions opts = {}) {
  auto fake = FakeStorage::Create(opts);
  EXPECT_TRUE(fake.ok()) << fake.status().message();
  return std::move(fake).value();
}

std::vector<uint8_t> Value(char fill, size_t n) { return std::vector<uint8_t>(n, uint8_t(fill)); }

std::string ReadString(Storage& s, uint32_t key) {
  std::array<uint8_t, 4096> buf{};
  auto got = s.Read(key, buf);
  if (!got.ok()) return std::string("<") + StatusCodeName(got.status().code()) + ">";
  return std::string(reinterpret_cast<const char*>(buf.data()), *got);
}

TEST(FakeStorage, RoundTripAndErrors) {
  auto s = NewFake({.max_record_size = 64, .capacity_bytes = 1 << 16});
  EXPECT_EQ(ReadString(*s, kKey), "<NOT_FOUND>");
  ASSERT_TRUE(s->Write(kKey, AsBytes("hello")).ok());
  EXPECT_EQ(ReadString(*s, kKey), "hello");
  ASSERT_TRUE(s->Write(kKey, AsBytes("")).ok());
  EXPECT_EQ(ReadString(*s, kKey), "");
  ASSERT_TRUE(s->Write(kKey, AsBytes("world")).ok());
  std::array<uint8_t, 3> small{};
  EXPECT_EQ(s->Read(kKey, small).status().code(), StatusCode::kOutOfRange);
  auto big = Value('x', 65);
  Status st = s->Write(kKey, big);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadString(*s, kKey), "world");
  ASSERT_TRUE(s->Erase(kKey).ok());
  EXPECT_EQ(ReadString(*s, kKey), "<NOT_FOUND>");
  ASSERT_TRUE(s->Erase(kKey).ok());
}

TEST(FakeStorage, SequenceAdvancesOnEveryWrite) {
  auto s = NewFake();
  uint64_t last = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(s->Write(kKey, AsBytes(std::to_string(i))).ok());
    auto seq = s->Sequence(kKey);
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(*seq, last + 1);
    last = *seq;
  }
  EXPECT_EQ(ReadString(*s, kKey), "9");
}

// A power cut at every write point, dropped or torn at every length, leaves
// the old value or the new one, and the sequence never goes back.
TEST(FakeStorage, PowerCutAtEveryPointLeavesOldOrNew) {
  const std::string old_value(40, 'o');
  const std::string new_value(57, 'n');
  const size_t image = TwoSlotStorage::kHeaderSize + new_value.size();
  int cases = 0;
  for (int history = 0; history < 3; ++history) {  // previous writes: slot parity
    for (size_t torn = 0; torn <= image; ++torn) {
      auto s = NewFake();
      for (int h = 0; h <= history; ++h) ASSERT_TRUE(s->Write(kKey, AsBytes(old_value)).ok());
      const uint64_t seq_before = *s->Sequence(kKey);
      s->medium().CutPowerAt(1, torn);
      Status st = s->Write(kKey, AsBytes(new_value));
      EXPECT_FALSE(st.ok());
      EXPECT_EQ(st.code(), StatusCode::kUnavailable);
      EXPECT_EQ(ReadString(*s, kKey), "<UNAVAILABLE>");  // power is off
      s->medium().PowerOn();
      const std::string got = ReadString(*s, kKey);
      const bool full = torn == image;
      EXPECT_EQ(got, full ? new_value : old_value) << "torn=" << torn;
      const uint64_t seq_after = *s->Sequence(kKey);
      EXPECT_GE(seq_after, seq_before);
      // The next write after the reboot still works and goes forward.
      ASSERT_TRUE(s->Write(kKey, AsBytes("after")).ok());
      EXPECT_EQ(ReadString(*s, kKey), "after");
      EXPECT_GT(*s->Sequence(kKey), seq_after);
      ++cases;
    }
  }
  EXPECT_GT(cases, 100);
}

TEST(FakeStorage, PowerCutDuringEraseLeavesValueOrNothing) {
  for (uint64_t cut = 1; cut <= 2; ++cut) {
    auto s = NewFake();
    ASSERT_TRUE(s->Write(kKey, AsBytes("v1")).ok());
    ASSERT_TRUE(s->Write(kKey, AsBytes("v2")).ok());
    s->medium().CutPowerAt(cut);
    EXPECT_FALSE(s->Erase(kKey).ok());
    s->medium().PowerOn();
    const std::string got = ReadString(*s, kKey);
    EXPECT_TRUE(got == "v2" || got == "<NOT_FOUND>") << got;
    EXPECT_NE(got, "v1");
  }
}

TEST(FakeStorage, ReadErrorIsReportedNotHidden) {
  auto s = NewFake();
  ASSERT_TRUE(s->Write(kKey, AsBytes("v1")).ok());
  ASSERT_TRUE(s->Write(kKey, AsBytes("v2")).ok());
  for (uint32_t n = 1; n <= 2; ++n) {
    s->medium().FailReads(n);
    EXPECT_EQ(ReadString(*s, kKey), "<UNAVAILABLE>");
    s->medium().FailReads(0);
  }
  // A write that cannot read the current state writes nothing.
  s->medium().FailReads(1);
  EXPECT_EQ(s->Write(kKey, AsBytes("v3")).code(), StatusCode::kUnavailable);
  EXPECT_EQ(ReadString(*s, kKey), "v2");
}

TEST(FakeStorage, FullMediumRefusesAndKeepsOldValue) {
  auto s = NewFake({.max_record_size = 256, .capacity_bytes = 200});
  ASSERT_TRUE(s->Write(kKey, Value('a', 50)).ok());   // slot 0: 74 bytes
  ASSERT_TRUE(s->Write(kKey, Value('b', 50)).ok());   // slot 1: 74 bytes
  Status st = s->Write(kKey + 1, Value('c', 100));    // +124 > 200
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ReadString(*s, kKey + 1), "<NOT_FOUND>");
  EXPECT_EQ(ReadString(*s, kKey), std::string(50, 'b'));
  s->medium().SetCapacity(1000);
  EXPECT_TRUE(s->Write(kKey + 1, Value('c', 100)).ok());
}

TEST(FakeStorage, CorruptionFallsBackThenReportsDataLoss) {
  auto s = NewFake();
  ASSERT_TRUE(s->Write(kKey, AsBytes("v1")).ok());  // slot 0
  ASSERT_TRUE(s->Write(kKey, AsBytes("v2")).ok());  // slot 1
  ASSERT_TRUE(s->medium().FlipBit(kKey, 1, TwoSlotStorage::kHeaderSize, 0));
  EXPECT_EQ(ReadString(*s, kKey), "v1");
  ASSERT_TRUE(s->medium().FlipBit(kKey, 0, 9, 3));  // sequence field
  EXPECT_EQ(ReadString(*s, kKey), "<DATA_LOSS>");
}

TEST(FakeStorage, SlotOfAnotherKeyIsNotAccepted) {
  auto s = NewFake();
  ASSERT_TRUE(s->Write(kKey, AsBytes("v1")).ok());
  // Flip the key field: CRC fails; a copied image under another key would
  // fail the key check the same way.
  ASSERT_TRUE(s->medium().FlipBit(kKey, 0, 7, 0));
  EXPECT_EQ(ReadString(*s, kKey), "<DATA_LOSS>");
}

}  // namespace
}  // namespace pki::hw
