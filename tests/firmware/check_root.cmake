# check_root.cmake — included by run_qemu.cmake and run as a script for the
# host: checks a test root certificate (DER) against the golden SHA-256 and
# with OpenSSL, independently of the code that made it.
#
#   ROOT_DER  the certificate file      GOLDEN  file holding the expected SHA-256 (hex)
#   OPENSSL   the openssl binary        [SUBJECT] expected subject, OpenSSL's one-line form
function(pki_check_root)
  if(NOT EXISTS "${ROOT_DER}")
    message(FATAL_ERROR "root certificate ${ROOT_DER} missing")
  endif()
  file(SHA256 "${ROOT_DER}" _got)
  file(READ "${GOLDEN}" _want)
  string(STRIP "${_want}" _want)
  message("root certificate SHA-256 ${_got}")
  if(NOT _got STREQUAL _want)
    message(FATAL_ERROR "root certificate differs from the golden one (${GOLDEN}: ${_want}); "
                        "the same seed must give the same bytes on host and boards")
  endif()
  set(_pem "${ROOT_DER}.pem")
  execute_process(COMMAND ${OPENSSL} x509 -inform DER -in "${ROOT_DER}" -out "${_pem}"
                  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "openssl cannot parse the root: ${_err}")
  endif()
  execute_process(COMMAND ${OPENSSL} verify -x509_strict -check_ss_sig -attime 1800000000
                          -CAfile "${_pem}" "${_pem}"
                  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "openssl verify rejects the root: ${_out}${_err}")
  endif()
  execute_process(COMMAND ${OPENSSL} x509 -in "${_pem}" -noout -subject -nameopt RFC2253
                  OUTPUT_VARIABLE _subject)
  message("openssl: ${_out}${_subject}")
  if(DEFINED SUBJECT AND NOT _subject MATCHES "${SUBJECT}")
    message(FATAL_ERROR "unexpected subject: ${_subject}")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  if(DEFINED COMMAND)  # host mode: run the tool that writes ROOT_DER first
    separate_arguments(_cmd NATIVE_COMMAND "${COMMAND}")
    execute_process(COMMAND ${_cmd} RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "${COMMAND} failed: ${_rc}")
    endif()
  endif()
  pki_check_root()
endif()
