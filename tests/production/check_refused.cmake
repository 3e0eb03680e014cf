# check_refused.cmake -DCXX=compiler -DFILE=header -DINCLUDES=dir;dir -DDEFINES=NAME=VALUE;...
# FILE must compile in a test build and fail with its "test-only" #error in a
# production build (PKI_PRODUCTION_BUILD=1).
set(_flags -std=c++20 -fsyntax-only -x c++)
foreach(_d IN LISTS INCLUDES)
  list(APPEND _flags -I${_d})
endforeach()
foreach(_d IN LISTS DEFINES)
  list(APPEND _flags -D${_d})
endforeach()
execute_process(COMMAND ${CXX} ${_flags} -DPKI_PRODUCTION_BUILD=0 ${FILE}
                RESULT_VARIABLE _test_rc ERROR_VARIABLE _test_err)
if(NOT _test_rc EQUAL 0)
  message(FATAL_ERROR "${FILE} does not compile in a test build, so the production check proves nothing:\n${_test_err}")
endif()
execute_process(COMMAND ${CXX} ${_flags} -DPKI_PRODUCTION_BUILD=1 ${FILE}
                RESULT_VARIABLE _prod_rc ERROR_VARIABLE _prod_err)
if(_prod_rc EQUAL 0)
  message(FATAL_ERROR "${FILE} compiles in a production build (PKI_PRODUCTION_BUILD=1): a test-only convenience would ship")
endif()
if(NOT _prod_err MATCHES "#error[^\n]*test-only")
  message(FATAL_ERROR "${FILE} fails in a production build, but not on its test-only #error:\n${_prod_err}")
endif()
message(STATUS "${FILE}: compiles in a test build, refused in a production build")
