#!/usr/bin/env bash
# README command (2): install dependencies, then every check CI runs, in this
# order, each timed:
#   1. default build (RelWithDebInfo, GCC, -Werror) + every test (unit,
#      vector, integration, portal) with ctest;
#   2. Release build (GCC, -O3 -DNDEBUG, -Werror) of the `tiezheng` binary and
#      the unit tests, run with ctest;
#   3. Clang build with ASan + UBSan (-fno-sanitize-recover=all),
#      -Wthread-safety and the libFuzzer targets: every test and the replay
#      of the fuzz corpora under the sanitizers, then
#      `tests/fuzz/run.sh $FUZZ_SECONDS` (every fuzz target, bounded);
#   4. the clang-format check (deploy/check-format.sh).
# A failing part does not stop the later ones; the script exits 1 if any
# failed. Benchmarks are not tests; README.md "Measurements" lists them.
#
# Environment (defaults): BUILD_DIR (build), RELEASE_BUILD_DIR (build-release),
# SANITIZE_BUILD_DIR (build-clang), JOBS (2), CLANG_CXX (clang++-14),
# FUZZ_SECONDS (20, per target), TZ_TEST_PARTS (all: "default release
# sanitize format", any subset, in that order).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh

JOBS=${JOBS:-2}
BUILD_DIR=${BUILD_DIR:-build}
RELEASE_BUILD_DIR=${RELEASE_BUILD_DIR:-build-release}
SANITIZE_BUILD_DIR=${SANITIZE_BUILD_DIR:-build-clang}
CLANG_CXX=${CLANG_CXX:-clang++-14}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
PARTS=${TZ_TEST_PARTS:-default release sanitize format}
UNIT_TESTS="crypto_tests log_tests archive_tests ledger_tests handover_tests evidence_tests node_tests api_tests"

want() { [[ " $PARTS " == *" $1 "* ]]; }

# 1. As before this script grew: the default build and every ctest test.
part_default() {
  BUILD_DIR=$BUILD_DIR JOBS=$JOBS bash deploy/build.sh
  # The benchmarks are not tests, but they must keep building.
  cmake --build "$BUILD_DIR" -j "$JOBS" --target benchmarks
  (cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS" --timeout 900)
}

# 2. Release: GCC 12's -Wrestrict false positive (cmake/Tooling.cmake) must
# not break it. The integration tests are left to parts 1 and 3; the unit
# tests run here against optimised code (-O3, NDEBUG: no assert()). The test
# executables not built here (integration_tests) show up in ctest as
# <name>_NOT_BUILT placeholders, excluded.
part_release() {
  # shellcheck disable=SC2086
  BUILD_DIR=$RELEASE_BUILD_DIR BUILD_TYPE=Release JOBS=$JOBS TARGETS="tiezheng $UNIT_TESTS" \
    bash deploy/build.sh
  (cd "$RELEASE_BUILD_DIR" &&
    ctest --output-on-failure -j "$JOBS" --timeout 900 -E '_NOT_BUILT$')
}

# 3. Clang with the sanitizers, thread-safety analysis and libFuzzer: every
# test (unit, integration, portal, and the one-pass replay of the committed
# fuzz inputs) under ASan and UBSan, the `tiezheng` processes the integration
# tests start included; then a bounded fuzzing run of every target. Measured
# on the 2-core machine: the unit tests take about 3 min under the
# sanitizers, the integration tests under 1 min, so both run (the slowest
# case is MerkleReference.RandomLargeTrees, ~75 s).
part_sanitize() {
  BUILD_DIR=$SANITIZE_BUILD_DIR JOBS=$JOBS bash deploy/build.sh \
    -DCMAKE_CXX_COMPILER="$CLANG_CXX" -DTZ_SANITIZE=ON -DTZ_THREAD_SAFETY=ON -DTZ_FUZZ=ON
  (cd "$SANITIZE_BUILD_DIR" &&
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
      ctest --output-on-failure -j "$JOBS" --timeout 900)
  FUZZ_BUILD_DIR=$SANITIZE_BUILD_DIR bash tests/fuzz/run.sh "$FUZZ_SECONDS"
}

# 4. Last: formatting (fix with clang-format -i; see deploy/check-format.sh).
part_format() {
  bash deploy/check-format.sh
}

declare -a summary
failed=0
for p in default release sanitize format; do
  want "$p" || continue
  echo "=== [test] $p ==="
  start=$SECONDS
  # A subshell outside any `if`, so that set -e stops the part at its first
  # failing command (inside an if condition, bash would ignore set -e).
  set +e
  (
    set -euo pipefail
    "part_$p"
  )
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then
    result=ok
  else
    result=FAILED
    failed=1
  fi
  took=$((SECONDS - start))
  summary+=("$(printf '%-9s %-7s %4d min %02d s' "$p" "$result" $((took / 60)) $((took % 60)))")
  echo "=== [test] $p: $result in ${took} s ==="
done

echo "=== [test] summary (wall time) ==="
printf '  %s\n' "${summary[@]}"
exit $failed
