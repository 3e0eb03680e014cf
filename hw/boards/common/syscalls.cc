// syscalls.cc — the newlib system calls a firmware image may reach.
//
// The firmware itself never uses stdio, but mbedTLS's buffer allocator with
// MBEDTLS_MEMORY_DEBUG (appliance/config/mbedtls_config.h) reports heap
// corruption with fprintf(stderr, ...) and then exit(1). So stdout/stderr go
// to the semihosting console, exit() zeroizes RAM and reports its code like
// a return from main(), and everything else fails cleanly.
#include <sys/stat.h>

#include <cerrno>
#include <cstddef>

#include "hw/boards/board_runtime.h"

extern "C" {

int _write(int fd, const char* data, int size) {
  if (fd != 1 && fd != 2) {
    errno = EBADF;
    return -1;
  }
  if (size > 0) pki::hw::board::ConsoleWrite(std::string_view(data, static_cast<size_t>(size)));
  return size;
}

int _read(int, char*, int) {
  errno = EBADF;
  return -1;
}

int _close(int) {
  errno = EBADF;
  return -1;
}

int _lseek(int, int, int) {
  errno = ESPIPE;
  return -1;
}

int _fstat(int, struct stat* st) {
  st->st_mode = S_IFCHR;
  return 0;
}

int _isatty(int fd) { return fd <= 2 ? 1 : 0; }

[[noreturn]] void _exit(int code) { pki::hw::board::ExitEmulator(code); }

int _kill(int, int) {
  errno = EINVAL;
  return -1;
}

int _getpid() { return 1; }

}  // extern "C"
