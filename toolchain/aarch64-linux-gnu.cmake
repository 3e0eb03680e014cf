# aarch64-linux-gnu.cmake — 64-bit Arm Linux (Debian's crossbuild-essential-arm64).
#
# Test and tool executables run on the build machine under qemu-aarch64-static
# (CMAKE_CROSSCOMPILING_EMULATOR), against the arm64 runtime libraries in
# /usr/aarch64-linux-gnu, so ctest drives them like native ones.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
find_program(PKI_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${PKI_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
