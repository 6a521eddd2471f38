#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each, over a copy of its seed corpus
# (tests/fuzz/corpus/<target>/) in a temporary directory, plus the regression
# inputs (tests/fuzz/regressions/<target>/, read-only). Fails if any target
# crashes, leaks, times out on one input or runs out of memory; the crashing
# inputs are copied to $FUZZ_ARTIFACTS (default: build dir/fuzz-artifacts).
#
#   tests/fuzz/run.sh SECONDS [TARGET...]
#
# Environment: FUZZ_BUILD_DIR (default build-clang), the build configured
# with -DTZ_FUZZ=ON (see docs/fuzzing.md); FUZZ_JOBS (default 1): targets run
# at once; FUZZ_KEEP_CORPUS=1 keeps the temp dir (new interesting inputs).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: tests/fuzz/run.sh SECONDS [TARGET...]" >&2
  exit 2
fi
SECONDS_EACH=$1
shift
BUILD=${FUZZ_BUILD_DIR:-build-clang}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
ARTIFACTS=${FUZZ_ARTIFACTS:-$BUILD/fuzz-artifacts}
JOBS=${FUZZ_JOBS:-1}

if [ $# -gt 0 ]; then
  TARGETS=("$@")
else
  TARGETS=()
  for src in tests/fuzz/*_fuzz.cc; do
    name=$(basename "$src" _fuzz.cc)
    TARGETS+=("$name")
  done
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tz-fuzz.XXXXXX")
if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
  echo "[fuzz] keeping $WORK"
else
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$ARTIFACTS"

# One target: fuzz for SECONDS_EACH; the log goes to $WORK/<name>.log.
fuzz_one() {
  local name=$1 bin=$BUILD/tests/fuzz/fuzz_$1
  if [ ! -x "$bin" ]; then
    echo "[fuzz] $name: $bin not built (cmake -DTZ_FUZZ=ON, target 'fuzz')" >&2
    return 1
  fi
  local corpus=$WORK/$name/corpus art=$WORK/$name/artifacts/
  mkdir -p "$corpus" "$art"
  cp -r "tests/fuzz/corpus/$name/." "$corpus/"
  local extra=()
  if [ -d "tests/fuzz/regressions/$name" ]; then
    extra+=("tests/fuzz/regressions/$name")
  fi
  local dict=()
  if [ -f "tests/fuzz/$name.dict" ]; then dict=(-dict="tests/fuzz/$name.dict"); fi
  local start=$SECONDS rc=0
  # -max_total_time bounds the run; -timeout fails on any input that takes
  # over 10 s, -rss_limit_mb on runaway memory; -print_final_stats for the log.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$art" -print_final_stats=1 "${dict[@]}" \
    "$corpus" "${extra[@]}" >"$WORK/$name.log" 2>&1 || rc=$?
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$name.log" | grep -o '[0-9]*$' || echo "?")
  if [ $rc -ne 0 ]; then
    echo "[fuzz] $name: FAILED (exit $rc) after $((SECONDS - start)) s; log:"
    grep -E 'ERROR|SUMMARY|fuzz property|Test unit written|^    #[0-9]+ ' "$WORK/$name.log" | head -40
    mkdir -p "$ARTIFACTS/$name"
    cp -r "$art." "$ARTIFACTS/$name/" 2>/dev/null || true
    cp "$WORK/$name.log" "$ARTIFACTS/$name.log"
    echo "[fuzz] $name: reproducer(s) in $ARTIFACTS/$name/"
    return 1
  fi
  echo "[fuzz] $name: ok, $execs runs in $((SECONDS - start)) s, corpus $(ls "$corpus" | wc -l) inputs"
}

failed=()
if [ "$JOBS" -le 1 ]; then
  for t in "${TARGETS[@]}"; do fuzz_one "$t" || failed+=("$t"); done
else
  export -f fuzz_one
  export BUILD WORK ARTIFACTS SECONDS_EACH
  pids=() names=()
  for t in "${TARGETS[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 1; done
    fuzz_one "$t" &
    pids+=($!) names+=("$t")
  done
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed+=("${names[$i]}"); done
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "[fuzz] FAILED: ${failed[*]}"
  exit 1
fi
echo "[fuzz] all ${#TARGETS[@]} targets ok (${SECONDS_EACH} s each)"
