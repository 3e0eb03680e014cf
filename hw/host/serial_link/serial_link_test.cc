// Host serial links against real OS objects: a pty the test opens like a
// serial device, and a unix socket the test connects to.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>

#include "hw/host/pty_link.h"
#include "hw/host/socket_link.h"

namespace pki::hw::host {
namespace {

std::string TempPath(const char* name) {
  std::string dir = ::testing::TempDir();
  return dir + "a2_" + name + "_" + std::to_string(::getpid());
}

std::string ReadAllFrom(SerialLink& link, size_t want) {
  std::string got;
  uint8_t buf[64];
  for (int i = 0; i < 50 && got.size() < want; ++i) {
    StatusOr<size_t> n = link.Read(buf, 100);
    EXPECT_TRUE(n.ok()) << n.status().message();
    if (!n.ok()) break;
    got.append(reinterpret_cast<char*>(buf), *n);
  }
  return got;
}

TEST(PtyLink, CarriesBytesBothWaysInRawMode) {
  auto link = PtyLink::Create();
  ASSERT_TRUE(link.ok()) << link.status().message();
  ASSERT_EQ((*link)->SlavePath().rfind("/dev/pts/", 0), 0u);
  int fd = ::open((*link)->SlavePath().c_str(), O_RDWR | O_NOCTTY);
  ASSERT_GE(fd, 0);
  // Bytes a cooked tty would eat or translate: CR, ^C, ^D, NUL, 0xff.
  const uint8_t raw[] = {0x0d, 0x03, 0x04, 0x00, 0xff, 0x0a, 'x'};
  ASSERT_EQ(::write(fd, raw, sizeof(raw)), static_cast<ssize_t>(sizeof(raw)));
  std::string got = ReadAllFrom(**link, sizeof(raw));
  EXPECT_EQ(got, std::string(reinterpret_cast<const char*>(raw), sizeof(raw)));

  ASSERT_TRUE((*link)->WriteAll(raw).ok());
  uint8_t back[16] = {};
  size_t have = 0;
  for (int i = 0; i < 20 && have < sizeof(raw); ++i) {
    pollfd p{fd, POLLIN, 0};
    ASSERT_GE(::poll(&p, 1, 100), 0);
    if (p.revents & POLLIN) {
      ssize_t n = ::read(fd, back + have, sizeof(back) - have);
      ASSERT_GT(n, 0);
      have += static_cast<size_t>(n);
    }
  }
  EXPECT_EQ(have, sizeof(raw));
  EXPECT_EQ(std::memcmp(back, raw, sizeof(raw)), 0);
  ::close(fd);
}

TEST(PtyLink, ReadTimesOutWithNothingToRead) {
  auto link = PtyLink::Create();
  ASSERT_TRUE(link.ok());
  uint8_t buf[8];
  auto t0 = std::chrono::steady_clock::now();
  StatusOr<size_t> n = (*link)->Read(buf, 50);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  EXPECT_GE(ms, 40);
  EXPECT_LT(ms, 1000);
}

int Connect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(SocketLink, ServesOneClientThenTheNext) {
  std::string path = TempPath("sock");
  auto link = SocketLink::Create(path);
  ASSERT_TRUE(link.ok()) << link.status().message();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE((*link)->WriteAll(AsBytes("x")).ok());  // nobody connected

  int c1 = Connect(path);
  ASSERT_GE(c1, 0);
  ASSERT_EQ(::write(c1, "hello", 5), 5);
  EXPECT_EQ(ReadAllFrom(**link, 5), "hello");
  ASSERT_TRUE((*link)->WriteAll(AsBytes("ok")).ok());
  char buf[8] = {};
  ASSERT_EQ(::read(c1, buf, sizeof(buf)), 2);
  EXPECT_EQ(std::string(buf, 2), "ok");
  ::close(c1);

  uint8_t tmp[8];
  StatusOr<size_t> gone = (*link)->Read(tmp, 200);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);

  int c2 = Connect(path);
  ASSERT_GE(c2, 0);
  ASSERT_EQ(::write(c2, "again", 5), 5);
  EXPECT_EQ(ReadAllFrom(**link, 5), "again");
  ::close(c2);
  link->reset();
  EXPECT_NE(::stat(path.c_str(), &st), 0);  // socket file removed
}

TEST(SocketLink, RefusesExistingPathAndOverlongPath) {
  std::string path = TempPath("exists");
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ::close(fd);
  auto taken = SocketLink::Create(path);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), StatusCode::kAlreadyExists);
  ::unlink(path.c_str());
  auto too_long = SocketLink::Create(std::string(200, 'a'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pki::hw::host
