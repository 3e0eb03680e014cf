# PkiHelpers.cmake — the small set of rules every part's CMakeLists uses.
#
#   pki_cc_library(NAME n SRCS ... HDRS ... DEPS ... [INCLUDES ...] [HOST_ONLY])
#   pki_cc_binary(NAME n SRCS ... DEPS ...)
#   pki_cc_test(NAME n SRCS ... DEPS ... [LABELS unit|integration|e2e|slow ...])
#
# Every target gets the project's warning set (warnings are errors) and an
# alias pki::<name>. Tests link GoogleTest and are discovered into CTest.
include_guard(GLOBAL)

function(pki_apply_warnings target)
  target_compile_options(${target} PRIVATE ${PKI_WARNING_FLAGS})
endfunction()

function(pki_cc_library)
  cmake_parse_arguments(L "HOST_ONLY;INTERFACE" "NAME" "SRCS;HDRS;DEPS;PRIVATE_DEPS;INCLUDES;DEFINES" ${ARGN})
  if(L_INTERFACE OR NOT L_SRCS)
    add_library(${L_NAME} INTERFACE)
    target_include_directories(${L_NAME} INTERFACE ${L_INCLUDES})
    target_link_libraries(${L_NAME} INTERFACE ${L_DEPS})
    target_compile_definitions(${L_NAME} INTERFACE ${L_DEFINES})
  else()
    add_library(${L_NAME} STATIC ${L_SRCS} ${L_HDRS})
    target_include_directories(${L_NAME} PUBLIC ${L_INCLUDES})
    target_link_libraries(${L_NAME} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
    target_compile_definitions(${L_NAME} PUBLIC ${L_DEFINES})
    pki_apply_warnings(${L_NAME})
  endif()
  add_library(pki::${L_NAME} ALIAS ${L_NAME})
endfunction()

function(pki_cc_binary)
  cmake_parse_arguments(B "" "NAME;OUTPUT_NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${B_NAME} ${B_SRCS})
  target_link_libraries(${B_NAME} PRIVATE ${B_DEPS})
  if(B_OUTPUT_NAME)
    set_target_properties(${B_NAME} PROPERTIES OUTPUT_NAME ${B_OUTPUT_NAME})
  endif()
  set_target_properties(${B_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  pki_apply_warnings(${B_NAME})
endfunction()

function(pki_cc_test)
  if(NOT PKI_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS;ENV" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${T_NAME} ${T_SRCS})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gmock GTest::gtest_main)
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  pki_apply_warnings(${T_NAME})
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
               ENVIRONMENT "PKI_BIN_DIR=${PROJECT_BINARY_DIR}/bin;PKI_SOURCE_DIR=${PROJECT_SOURCE_DIR};${T_ENV}"
    DISCOVERY_TIMEOUT 60)
endfunction()

# pki_add_subdirectories([DIR]) adds every direct subfolder of DIR (default:
# the current source folder) that has a CMakeLists.txt, in name order, so a
# new concept folder joins the build without editing its parent.
function(pki_add_subdirectories)
  set(_dir ${CMAKE_CURRENT_SOURCE_DIR})
  if(ARGC GREATER 0)
    set(_dir ${CMAKE_CURRENT_SOURCE_DIR}/${ARGV0})
  endif()
  file(GLOB _children LIST_DIRECTORIES true ${_dir}/*)
  list(SORT _children)
  foreach(_child ${_children})
    if(IS_DIRECTORY ${_child} AND EXISTS ${_child}/CMakeLists.txt)
      add_subdirectory(${_child})
    endif()
  endforeach()
endfunction()

# pki_fuzz_target(NAME n SRCS ... DEPS ... CORPUS dir [RUNS n])
#
# SRCS define LLVMFuzzerTestOneInput. With PKI_FUZZ (the `fuzz` preset,
# clang + libFuzzer + ASan/UBSan) it builds a real fuzzer and a CTest entry
# that fuzzes for a short, bounded run starting from the checked-in corpus.
# Without it (gcc presets) it builds a replay driver that feeds every corpus
# file to the same function, so the seeds are regression tests everywhere.
function(pki_fuzz_target)
  if(NOT PKI_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(F "" "NAME;CORPUS;RUNS" "SRCS;DEPS" ${ARGN})
  if(NOT F_RUNS)
    set(F_RUNS 20000)
  endif()
  if(PKI_FUZZ)
    add_executable(${F_NAME} ${F_SRCS})
    target_link_libraries(${F_NAME} PRIVATE ${F_DEPS})
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${F_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
    pki_apply_warnings(${F_NAME})
    add_dependencies(fuzz_targets ${F_NAME})
    # Work on a copy: libFuzzer adds what it finds to the first corpus folder.
    set(_work ${PROJECT_BINARY_DIR}/fuzz/${F_NAME}.corpus)
    add_test(NAME fuzz.${F_NAME}
      COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
              sh -c "mkdir -p '${_work}' && $<TARGET_FILE:${F_NAME}> -runs=${F_RUNS} -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 '${_work}' '${F_CORPUS}'")
    set_tests_properties(fuzz.${F_NAME} PROPERTIES LABELS "fuzz" TIMEOUT 300)
  else()
    add_executable(${F_NAME}_replay ${F_SRCS} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cc)
    target_link_libraries(${F_NAME}_replay PRIVATE ${F_DEPS})
    set_target_properties(${F_NAME}_replay PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
    pki_apply_warnings(${F_NAME}_replay)
    add_test(NAME fuzz_replay.${F_NAME} COMMAND ${F_NAME}_replay ${F_CORPUS})
    set_tests_properties(fuzz_replay.${F_NAME} PROPERTIES LABELS "unit;fuzz-replay" TIMEOUT 120)
  endif()
endfunction()
