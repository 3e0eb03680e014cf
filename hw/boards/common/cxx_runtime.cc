// cxx_runtime.cc — the freestanding C++ runtime of the firmware images.
//
// Images are linked without libstdc++/libsupc++ (toolchain/arm-none-eabi.cmake):
// no exceptions, no RTTI. What the compiler and the header-only parts of the
// standard library still reference is defined here, and every failure path
// panics (zeroize + halt) instead of throwing.
#include <bits/functexcept.h>

#include <cstddef>
#include <cstdlib>
#include <new>

#include "hw/boards/board_runtime.h"

namespace {
void* Allocate(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) PkiPanicHook("out of memory (heap exhausted)");
  return p;
}
}  // namespace

void* operator new(std::size_t size) { return Allocate(size); }
void* operator new[](std::size_t size) { return Allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size == 0 ? 1 : size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size == 0 ? 1 : size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

extern "C" {
[[noreturn]] void __cxa_pure_virtual() { PkiPanicHook("pure virtual call"); }
[[noreturn]] void __cxa_deleted_virtual() { PkiPanicHook("deleted virtual call"); }
[[noreturn]] void abort() { PkiPanicHook("abort"); }
// _FORTIFY_SOURCE checks in newlib.
[[noreturn]] void __chk_fail() { PkiPanicHook("buffer overflow detected (fortify)"); }
}

namespace std {
[[noreturn]] void __throw_bad_alloc() { PkiPanicHook("bad_alloc"); }
[[noreturn]] void __throw_bad_array_new_length() { PkiPanicHook("bad_array_new_length"); }
[[noreturn]] void __throw_length_error(const char*) { PkiPanicHook("length_error"); }
[[noreturn]] void __throw_out_of_range(const char*) { PkiPanicHook("out_of_range"); }
[[noreturn]] void __throw_out_of_range_fmt(const char*, ...) { PkiPanicHook("out_of_range"); }
[[noreturn]] void __throw_logic_error(const char*) { PkiPanicHook("logic_error"); }
[[noreturn]] void __throw_invalid_argument(const char*) { PkiPanicHook("invalid_argument"); }
[[noreturn]] void __throw_bad_function_call() { PkiPanicHook("bad_function_call"); }
}  // namespace std
