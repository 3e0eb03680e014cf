# arm-none-eabi-cortex-m3.cmake — Cortex-M3 (Armv7-M), the mps2-an385 board.
# See arm-none-eabi.cmake.
set(PKI_ARM_CPU cortex-m3)
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
