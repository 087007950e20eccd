# Target-scoped build settings. Nothing here touches directory-wide flags: every odte target
# links odte::build_options privately, so warnings and sanitizers follow the target, not the folder.

add_library(odte_build_options INTERFACE)
add_library(odte::build_options ALIAS odte_build_options)

target_compile_options(odte_build_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)

if(ODTE_WERROR)
  target_compile_options(odte_build_options INTERFACE -Werror)
endif()

if(ODTE_SANITIZE)
  target_compile_options(odte_build_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(odte_build_options INTERFACE -fsanitize=address,undefined)
endif()

if(ODTE_TSAN)
  target_compile_options(odte_build_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(odte_build_options INTERFACE -fsanitize=thread)
endif()

# odte_add_library(name SOURCES... [DEPS ...]) -> target odte_<name>, alias odte::<name>,
# public include dir <folder>/include.
function(odte_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  if(ARG_SOURCES)
    add_library(odte_${name} STATIC ${ARG_SOURCES})
    target_include_directories(odte_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(odte_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE odte::build_options ${ARG_PRIVATE_DEPS})
  else()
    add_library(odte_${name} INTERFACE)
    target_include_directories(odte_${name} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(odte_${name} INTERFACE ${ARG_PUBLIC_DEPS})
  endif()
  add_library(odte::${name} ALIAS odte_${name})
endfunction()

# odte_add_executable(name SOURCES... DEPS ...)
function(odte_add_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE odte::build_options ${ARG_DEPS})
endfunction()

# odte_add_test(name SOURCES... DEPS ... [LABELS ...]): one GoogleTest binary, each TEST a ctest case.
function(odte_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin/tests)
  target_link_libraries(${name} PRIVATE odte::build_options GTest::gtest GTest::gtest_main ${ARG_DEPS})
  gtest_discover_tests(${name}
    PROPERTIES LABELS "${ARG_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()
