# Build options for the project's own checks: warnings as errors, the GCC 12
# -Wrestrict workaround, sanitizers, Clang's thread-safety analysis and the
# libFuzzer targets. Included by the top-level CMakeLists.txt right after
# project(), before it declares its own warning flags.
#
#   TZ_WERROR         -Werror. Off by default so that a user's or packager's
#                     build never fails on a new compiler's warnings; the
#                     project's scripts (deploy/build.sh) turn it on.
#   TZ_SANITIZE       AddressSanitizer + UndefinedBehaviorSanitizer, every
#                     report fatal (-fno-sanitize-recover=all), frame pointers
#                     kept for readable stacks. Meant for Clang; works on GCC.
#   TZ_THREAD_SAFETY  Clang's -Wthread-safety (see crypto/thread_annotations.h).
#                     Ignored, with a message, on other compilers. Its
#                     findings are warnings like any other, so TZ_WERROR
#                     (deploy/build.sh) makes them errors.
#   TZ_FUZZ           The libFuzzer targets in tests/fuzz (Clang only). Implies
#                     TZ_SANITIZE, and compiles every library with coverage
#                     instrumentation (-fsanitize=fuzzer-no-link) so that the
#                     fuzzers see the code they drive.

# Declared here, before the top-level option(TZ_WERROR ...): option() does not
# change a variable that is already in the cache, so this default (OFF) wins.
option(TZ_WERROR "Treat warnings as errors (deploy/build.sh turns this on)" OFF)
option(TZ_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(TZ_THREAD_SAFETY "Clang -Wthread-safety analysis" OFF)
option(TZ_FUZZ "Build the libFuzzer targets in tests/fuzz (Clang only)" OFF)

set(TZ_IS_CLANG OFF)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(TZ_IS_CLANG ON)
endif()

# GCC 12 reports -Wrestrict inside libstdc++'s std::string operator+ when a
# concatenation involves a ternary or a short literal (for example in
# ledger/src/entry_governance.cc and tests/crypto/timestamp_test_util.h at -O2
# and above). It is a false positive, GCC bug 105651
# (https://gcc.gnu.org/bugzilla/show_bug.cgi?id=105651), fixed in GCC 13; with
# -Werror it breaks the Release build. Only GCC 12 gets the switch: other
# compilers keep the warning.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU"
   AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-restrict)
endif()

if(TZ_FUZZ)
  if(NOT TZ_IS_CLANG)
    message(FATAL_ERROR "TZ_FUZZ needs Clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  set(TZ_SANITIZE ON CACHE BOOL "Build with AddressSanitizer and UndefinedBehaviorSanitizer" FORCE)
  # Coverage instrumentation in every library and test; the fuzz targets
  # themselves link with -fsanitize=fuzzer (tests/fuzz/CMakeLists.txt). The
  # unit tests link the sanitizer runtime, whose weak coverage callbacks make
  # the instrumented code link and run without libFuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(TZ_SANITIZE)
  set(TZ_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all)
  add_compile_options(${TZ_SANITIZER_FLAGS} -fno-omit-frame-pointer
                      -fno-optimize-sibling-calls)
  add_link_options(${TZ_SANITIZER_FLAGS})
endif()

if(TZ_THREAD_SAFETY)
  if(TZ_IS_CLANG)
    add_compile_options(-Wthread-safety)
  else()
    message(STATUS "TZ_THREAD_SAFETY: -Wthread-safety is a Clang analysis; ignored for "
                   "${CMAKE_CXX_COMPILER_ID}")
  endif()
endif()
