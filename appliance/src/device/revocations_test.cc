// RevocationList and its storage record: the list is the CRL's entries
// itself (serials viewed in place), bounded, and survives a save and load.
#include "device/revocations.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "device/device_record.h"
#include "hw/fake/fake_storage.h"

namespace pki::appliance::device {
namespace {

TEST(RevocationList, HoldsExactlyTheMaximumAndRoundTripsThroughStorage) {
  StatusOr<std::unique_ptr<hw::FakeStorage>> storage = hw::FakeStorage::Create();
  ASSERT_TRUE(storage.ok());
  auto list = std::make_unique<RevocationList>();
  for (size_t i = 0; i < kMaxRevocations; ++i) {
    uint8_t serial[20];
    const size_t n = 1 + i % 20;  // every length 1..20
    std::memset(serial, static_cast<int>(0x40 + i % 64), n);
    serial[0] = static_cast<uint8_t>(0x80 | i);
    ASSERT_TRUE(list->Add(ByteSpan(serial, n), 1'700'000'000 + static_cast<int64_t>(i),
                          static_cast<uint8_t>(i % 6)).ok()) << i;
  }
  const uint8_t one_more[] = {0x11};
  EXPECT_EQ(list->Add(one_more, 1, 0).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(list->count(), kMaxRevocations);
  EXPECT_EQ(list->Find(one_more), -1);
  const uint8_t bad[21] = {1};
  auto other = std::make_unique<RevocationList>();
  EXPECT_EQ(other->Add(ByteSpan(bad, 21), 1, 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other->Add(ByteSpan(), 1, 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other->count(), 0u);

  ASSERT_TRUE(SaveRevocations(**storage, *list).ok());
  StatusOr<size_t> loaded = LoadRevocations(**storage, other.get());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(*loaded, kMaxRevocations);
  ASSERT_EQ(other->count(), kMaxRevocations);
  for (size_t i = 0; i < kMaxRevocations; ++i) {
    const ca::RevokedCertificate& a = list->Entries()[i];
    const ca::RevokedCertificate& b = other->Entries()[i];
    ASSERT_EQ(b.serial.size(), 1 + i % 20) << i;
    EXPECT_EQ(0, std::memcmp(a.serial.data(), b.serial.data(), a.serial.size())) << i;
    EXPECT_EQ(b.revocation_time, a.revocation_time);
    EXPECT_EQ(b.reason, a.reason);
    EXPECT_EQ(other->Find(b.serial), static_cast<int>(i));
  }
  // A corrupt record loads as DATA_LOSS and leaves an empty list.
  uint8_t raw[4096];
  StatusOr<size_t> n = (*storage)->Read(kRevocationsKey, raw);
  ASSERT_TRUE(n.ok());
  raw[10] ^= 0x01;
  ASSERT_TRUE((*storage)->Write(kRevocationsKey, ByteSpan(raw, *n)).ok());
  EXPECT_EQ(LoadRevocations(**storage, other.get()).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(other->count(), 0u);
}

}  // namespace
}  // namespace pki::appliance::device
