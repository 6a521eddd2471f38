#!/usr/bin/env bash
# Configures and builds Tiezheng into ./build (two parallel jobs: this is a
# 2-core target machine). Usage: deploy/build.sh [extra cmake args]
# Environment: BUILD_DIR (default build), BUILD_TYPE (RelWithDebInfo), JOBS (2),
# TARGETS (space-separated targets; default all).
# The project's own builds treat warnings as errors (TZ_WERROR, off by default
# in CMake so that a packager's build never fails on a new compiler's
# warnings); pass -DTZ_WERROR=OFF to override.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-2}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DTZ_WERROR=ON "$@" >/dev/null
if [ -n "${TARGETS:-}" ]; then
  # shellcheck disable=SC2086  # TARGETS is a word list
  cmake --build "$BUILD_DIR" -j "$JOBS" --target $TARGETS
else
  cmake --build "$BUILD_DIR" -j "$JOBS"
fi
