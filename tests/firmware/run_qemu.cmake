# run_qemu.cmake — runs one firmware image under qemu-system-arm for ctest.
#
#   cmake -DQEMU=... -DMACHINE=mps2-an505 -DIMAGE=x.elf [-DAPPEND="k=v ..."]
#         [-DSTORAGE=<dir>]        fresh empty folder, passed as storage=<dir>
#         [-DEXPECT_EXIT=0]        the exit code main() (or the panic) reports
#         [-DEXPECT_OUTPUT=regex]  must appear in the console output
#         [-DEXPECT_SLOT=<file>:<text>]  a slot file left in STORAGE must hold
#                                  the PKS1 header and end with <text>
#         [-DROOT_DER=<file> -DGOLDEN=<file> -DOPENSSL=<bin> [-DSUBJECT=re]]
#                                  check a test root the image wrote (check_root.cmake)
#         [-DTIMEOUT=60] -P run_qemu.cmake
#
# The image's exit code comes from semihosting (SYS_EXIT_EXTENDED); a
# firmware that hangs is killed at TIMEOUT and fails.
foreach(_v QEMU MACHINE IMAGE)
  if(NOT DEFINED ${_v})
    message(FATAL_ERROR "run_qemu.cmake: ${_v} not set")
  endif()
endforeach()
if(NOT DEFINED EXPECT_EXIT)
  set(EXPECT_EXIT 0)
endif()
if(NOT DEFINED TIMEOUT)
  set(TIMEOUT 60)
endif()
set(_append "${APPEND}")
if(DEFINED STORAGE)
  file(REMOVE_RECURSE "${STORAGE}")
  file(MAKE_DIRECTORY "${STORAGE}")
  string(STRIP "${_append} storage=${STORAGE}" _append)
endif()
set(_args -M ${MACHINE} -nographic -monitor none -serial null
          -semihosting-config enable=on,target=native -kernel ${IMAGE})
if(_append)
  list(APPEND _args -append "${_append}")
endif()
string(TIMESTAMP _t0 "%s")
execute_process(COMMAND ${QEMU} ${_args}
  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err TIMEOUT ${TIMEOUT})
string(TIMESTAMP _t1 "%s")
math(EXPR _secs "${_t1} - ${_t0}")
message("${_out}${_err}")
message("exit code ${_rc} after ~${_secs} s")
if(NOT "${_rc}" STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "expected exit code ${EXPECT_EXIT}, got '${_rc}'")
endif()
if(DEFINED EXPECT_OUTPUT AND NOT "${_out}${_err}" MATCHES "${EXPECT_OUTPUT}")
  message(FATAL_ERROR "output does not match '${EXPECT_OUTPUT}'")
endif()
if(DEFINED EXPECT_SLOT)
  string(REPLACE ":" ";" _slot "${EXPECT_SLOT}")
  list(GET _slot 0 _file)
  list(GET _slot 1 _text)
  if(NOT EXISTS "${STORAGE}/${_file}")
    message(FATAL_ERROR "slot file ${STORAGE}/${_file} missing")
  endif()
  file(READ "${STORAGE}/${_file}" _hex HEX)
  string(HEX "${_text}" _text_hex)
  string(TOLOWER "${_text_hex}" _text_hex)
  if(NOT _hex MATCHES "^504b5331" OR NOT _hex MATCHES "${_text_hex}$")
    message(FATAL_ERROR "slot file ${_file} does not hold a PKS1 record ending in '${_text}': ${_hex}")
  endif()
endif()
if(DEFINED ROOT_DER)  # the image wrote a test root: check it like the host's
  include(${CMAKE_CURRENT_LIST_DIR}/check_root.cmake)
  pki_check_root()
endif()
