# arm-none-eabi.cmake — bare-metal Arm Cortex-M (GCC arm-none-eabi 12 +
# newlib-nano), for the emulated MPS2 boards (hw/boards/<board>/).
#
# Set PKI_ARM_CPU (cortex-m33 | cortex-m3) before including this file; the
# thin files arm-none-eabi-cortex-m33.cmake / -cortex-m3.cmake do that.
#
# The firmware is freestanding C++: no exceptions, no RTTI, no thread-safe
# statics, no hosted libstdc++. C++ executables are linked by the C driver
# (gcc), so libstdc++/libsupc++ never enter the image; the few runtime symbols
# the compiler still emits (operator new/delete, __cxa_pure_virtual,
# std::__throw_*) come from hw/boards/common/cxx_runtime.cc, where each one
# panics instead of throwing.
if(NOT PKI_ARM_CPU)
  set(PKI_ARM_CPU cortex-m33)
endif()
# try_compile projects re-read this file: pass the CPU on.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES PKI_ARM_CPU)

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# No OS to run a test executable on while configuring.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Soft float: nothing in the appliance uses floating point, and the same
# objects then run on the FPU-less Cortex-M3.
set(_pki_arch "-mcpu=${PKI_ARM_CPU} -mthumb -mfloat-abi=soft")
set(_pki_common "${_pki_arch} -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${_pki_common}")
set(CMAKE_CXX_FLAGS_INIT
    "${_pki_common} -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "${_pki_arch}")
# newlib-nano; our own startup (hw/boards/common/startup.cc), no crt0.
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_pki_arch} --specs=nano.specs -nostartfiles -Wl,--gc-sections")
# Link C++ with the C driver: no libstdc++ in the image.
set(CMAKE_CXX_LINK_EXECUTABLE
    "<CMAKE_C_COMPILER> <FLAGS> <CMAKE_CXX_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(PKI_QEMU_SYSTEM_ARM qemu-system-arm)
find_program(PKI_ARM_SIZE arm-none-eabi-size)
