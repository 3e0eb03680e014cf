# arm-none-eabi-cortex-m33.cmake — Cortex-M33 (Armv8-M Mainline), the
# mps2-an505 board. See arm-none-eabi.cmake.
set(PKI_ARM_CPU cortex-m33)
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
