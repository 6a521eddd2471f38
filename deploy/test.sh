#!/usr/bin/env bash
# README command (2): install dependencies, build, run every test (unit,
# vector, integration). Benchmarks are not tests; see docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
bash deploy/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "${JOBS:-2}" --timeout 900
