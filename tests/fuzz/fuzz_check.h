// Shared by the fuzz targets: a property check that stays on in release
// builds (NDEBUG turns assert() off) and makes libFuzzer record the input.
#pragma once

#include <cstdio>
#include <cstdlib>

#define TZ_FUZZ_CHECK(cond)                                                                 \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)
