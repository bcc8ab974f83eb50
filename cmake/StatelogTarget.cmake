# Helpers that give every statelog target the same warnings, sanitizers and coverage flags.
# The flags are PRIVATE: nothing leaks to a consumer of the library.

function(statelog_apply_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>)
  if(STATELOG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(STATELOG_SANITIZE)
    string(REPLACE ";" "," _san "${STATELOG_SANITIZE}")
    target_compile_options(${target} PRIVATE -fsanitize=${_san} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${_san})
  endif()
  if(STATELOG_BUILD_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
  if(STATELOG_COVERAGE)
    # Atomic counters: threads updating plain ones can leave negative counts gcovr cannot parse.
    target_compile_options(${target} PRIVATE --coverage -fprofile-update=atomic)
    target_link_options(${target} PRIVATE --coverage)
    if(NOT STATELOG_SANITIZE)
      # Exact line counts for the coverage build of its own. A sanitizer build that also counts
      # lines (CI's ASan+UBSan run) keeps its optimization: its counters are placed before the
      # optimizer runs, and its tests would be several times slower at -O0.
      target_compile_options(${target} PRIVATE -O0)
    endif()
  endif()
endfunction()

# statelog_library(NAME [SHARED] SOURCES ... DEPS ... PRIVATE_DEPS ...): one layer, aliased
# statelog::NAME, installed and exported as statelog::NAME (cmake/install.cmake). Static unless
# SHARED (the C API, which C and Go programs link by name). C++20 is a usage requirement of the
# static layers: their public headers need it.
function(statelog_library name)
  cmake_parse_arguments(ARG "SHARED" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  if(ARG_SHARED)
    add_library(statelog_${name} SHARED ${ARG_SOURCES})
    target_compile_features(statelog_${name} PRIVATE cxx_std_20)
  else()
    add_library(statelog_${name} STATIC ${ARG_SOURCES})
    target_compile_features(statelog_${name} PUBLIC cxx_std_20)
  endif()
  add_library(statelog::${name} ALIAS statelog_${name})
  target_include_directories(statelog_${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(statelog_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_target_properties(statelog_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON EXPORT_NAME ${name})
  statelog_apply_flags(statelog_${name})
  set_property(GLOBAL APPEND PROPERTY STATELOG_INSTALLED_LIBRARIES statelog_${name})
endfunction()

# statelog_group(GROUP TARGET): makes the custom target GROUP build TARGET, so that a CI stage can
# build only what it runs (statelog_concurrency_tests, the threads and subscriptions tests alone
# for a quick ThreadSanitizer run; statelog_fuzzers).
function(statelog_group group target)
  if(NOT TARGET ${group})
    add_custom_target(${group})
  endif()
  add_dependencies(${group} ${target})
endfunction()

# statelog_test(NAME SOURCES ... DEPS ... [LABELS ...]): one gtest binary registered with CTest.
# A test labelled "concurrency" joins statelog_concurrency_tests.
function(statelog_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  statelog_apply_flags(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
  if("concurrency" IN_LIST ARG_LABELS)
    statelog_group(statelog_concurrency_tests ${name})
  endif()
endfunction()
