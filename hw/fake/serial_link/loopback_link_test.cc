#include "hw/fake/loopback_link.h"

#include <gtest/gtest.h>

#include <string>

namespace pki::hw::fake {
namespace {

std::string Drain(LoopbackLink& end) {
  std::string got;
  uint8_t buf[64];
  for (;;) {
    StatusOr<size_t> n = end.Read(buf, 10);
    if (!n.ok() || *n == 0) break;
    got.append(reinterpret_cast<char*>(buf), *n);
  }
  return got;
}

TEST(LoopbackLink, CarriesBytesAndInjectsEachFault) {
  FakeClock clock;
  auto [a, b] = LoopbackLink::CreatePair(&clock);
  ASSERT_TRUE(a->WriteAll(AsBytes("hello")).ok());
  EXPECT_EQ(Drain(*b), "hello");
  EXPECT_EQ(clock.MonotonicMillis(), 10u);  // the empty read advanced time

  a->InjectFault(LinkFault::kDrop);
  a->InjectFault(LinkFault::kDuplicate);
  a->InjectFault(LinkFault::kCorrupt, 1);
  a->InjectFault(LinkFault::kTruncate, 2);
  ASSERT_TRUE(a->WriteAll(AsBytes("dropped")).ok());
  ASSERT_TRUE(a->WriteAll(AsBytes("dup")).ok());
  ASSERT_TRUE(a->WriteAll(AsBytes("abc")).ok());
  ASSERT_TRUE(a->WriteAll(AsBytes("truncated")).ok());
  ASSERT_TRUE(a->WriteAll(AsBytes("!")).ok());
  std::string corrupted = std::string("a") + static_cast<char>('b' ^ 0x5A) + "c";
  EXPECT_EQ(Drain(*b), "dupdup" + corrupted + "tr!");
}

TEST(LoopbackLink, SplitReadsAndDisconnect) {
  auto [a, b] = LoopbackLink::CreatePair();
  b->SetReadChunk(3);
  ASSERT_TRUE(a->WriteAll(AsBytes("abcdefg")).ok());
  uint8_t buf[16];
  StatusOr<size_t> n = b->Read(buf, 0);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);
  a->Disconnect();
  StatusOr<size_t> gone = b->Read(buf, 0);
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);
  n = b->Read(buf, 0);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);  // unread bytes were lost with the cable
  ASSERT_TRUE(b->WriteAll(AsBytes("x")).ok());
  EXPECT_EQ(Drain(*a), "x");
}

}  // namespace
}  // namespace pki::hw::fake
